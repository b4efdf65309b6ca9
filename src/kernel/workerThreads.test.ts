import { expect } from 'chai';
import { silentLogger } from './logger.ts';
import { WorkerThreads } from './workerThreads.ts';

/** A thread that doubles `v`, and exits when asked to. */
const DOUBLER = new URL(
  'data:text/javascript,' +
    encodeURIComponent(`import { parentPort, threadId } from 'node:worker_threads';
parentPort.on('message', (m) => {
  if (m.v === 'exit') process.exit(3);
  parentPort.postMessage({ seq: m.seq, v: m.v * 2, threadId });
});`),
);

interface Job {
  seq: number;
  v: number | 'exit';
}
interface Reply {
  seq: number;
  v: number;
  threadId: number;
}

function pool(count: number, answers: Map<number, string>) {
  return new WorkerThreads<Job, Reply>({
    count,
    script: DOUBLER,
    workerData: null,
    failureEvent: 'test.thread-failed',
    log: silentLogger,
    answered: (job, r) => answers.set(job.seq, `thread ${r.v}`),
    fallback: (job) => answers.set(job.seq, `here ${job.v}`),
  });
}

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
};

describe('worker threads', () => {
  it('answers every job on the threads, taken in turn', async () => {
    const answers = new Map<number, string>();
    const threads = pool(2, answers);
    for (let seq = 0; seq < 10; seq++) expect(threads.post({ seq, v: seq })).to.equal(true);
    await until(() => answers.size === 10);
    expect([...answers.keys()].sort((a, b) => a - b)).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(answers.get(7)).to.equal('thread 14');
    await threads.close();
    expect(threads.size).to.equal(0);
  });

  it('a thread that exits hands its unanswered jobs to the fallback and takes no more', async () => {
    const answers = new Map<number, string>();
    const threads = pool(1, answers);
    threads.post({ seq: 0, v: 'exit' });
    threads.post({ seq: 1, v: 5 });
    await until(() => answers.size === 2);
    expect(answers.get(0)).to.equal('here exit');
    expect(answers.get(1)).to.equal('here 5');
    expect(threads.size).to.equal(0);
    expect(threads.post({ seq: 2, v: 1 })).to.equal(false);
    await threads.close();
  });

  it('close hands what is still in flight to the fallback', async () => {
    const answers = new Map<number, string>();
    const threads = pool(1, answers);
    threads.post({ seq: 0, v: 1 });
    await threads.close();
    expect(answers.get(0)).to.match(/^(here|thread) /);
  });
});
