package io.quiver.worker.scheduler;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.quiver.worker.kvcache.BlockAllocator;

/**
 * Continuous batching as a pure state machine with one owner (the engine thread):
 * {@link #add} queues a sequence, {@link #schedule()} returns what to run next,
 * {@link #update} takes what the step produced. No threads and no tensors.
 *
 * <p>
 * Each step every running sequence whose cache holds all but its newest token decodes one
 * row; the remaining token budget goes to prefill chunks, first of sequences already
 * admitted, then of waiting ones admitted in arrival order while blocks allow. When a
 * decode needs a block and none is free, the most recently admitted sequence is
 * preempted: its blocks are freed and it waits at the front of the queue to be recomputed
 * (prompt and output so far).
 *
 * <p>
 * The choices of one request ({@code n > 1}) share their prompt: the first prefills it,
 * and each other waits until that has happened, then takes the first one's full blocks of
 * the prompt (reference counted, never written again) and computes only the rest of the
 * prompt, less than one block, itself. Blocks of a common prefix are therefore held once.
 */
public final class Scheduler {

	private final SchedulerConfig config;

	private final BlockAllocator blocks;

	private final Deque<Sequence> waiting = new ArrayDeque<>();

	private final Map<Long, Sequence> running = new LinkedHashMap<>();

	private long admissions;

	public Scheduler(SchedulerConfig config, BlockAllocator blocks) {
		this.config = config;
		this.blocks = blocks;
	}

	/**
	 * Queues a sequence.
	 * @param id its id, unique among live sequences
	 * @param prompt its prompt tokens
	 * @param adapter its adapter id, or null
	 * @return false when {@code maxRunning + maxWaiting} sequences already wait
	 * @throws IllegalArgumentException when the prompt could never fit the cache
	 */
	public boolean add(long id, int[] prompt, String adapter) {
		return add(id, prompt, adapter, -1);
	}

	/**
	 * Queues a sequence that shares its prompt with another, queued before it.
	 * @param id its id, unique among live sequences
	 * @param prompt its prompt tokens, the same as the other's
	 * @param adapter its adapter id (the other's), or null
	 * @param sharesPromptOf the sequence whose prompt blocks it takes once they are
	 * computed, or -1 for none; if that one is no longer running when this one is
	 * admitted, this one computes its prompt itself
	 * @return false when {@code maxRunning + maxWaiting} sequences already wait
	 * @throws IllegalArgumentException when the prompt could never fit the cache
	 */
	public boolean add(long id, int[] prompt, String adapter, long sharesPromptOf) {
		if (prompt.length == 0) {
			throw new IllegalArgumentException("the prompt is empty");
		}
		if (this.blocks.blocksFor(prompt.length + 1) > this.blocks.totalBlocks()) {
			throw new IllegalArgumentException("the prompt is longer than the KV cache holds");
		}
		if (this.waiting.size() >= this.config.maxRunning() + this.config.maxWaiting()) {
			return false;
		}
		this.waiting.addLast(new Sequence(id, prompt, adapter, sharesPromptOf, prompt.length));
		return true;
	}

	/**
	 * Plans the next step.
	 * @return what to run; empty when nothing can run
	 */
	public StepPlan schedule() {
		List<Long> preempted = new ArrayList<>();
		List<Sequence> decodes = new ArrayList<>();
		List<Sequence> prefilling = new ArrayList<>();
		for (Sequence s : new ArrayList<>(this.running.values())) {
			if (!this.running.containsKey(s.id)) {
				continue;
			}
			if (s.remaining() == 1) {
				while (!ensureBlocks(s, s.computed + 1)) {
					Sequence victim = newestRunningExcept(s);
					if (victim == null) {
						break;
					}
					preempt(victim);
					preempted.add(victim.id);
					decodes.remove(victim);
					prefilling.remove(victim);
				}
				if (hasBlocks(s, s.computed + 1)) {
					decodes.add(s);
				}
			}
			else {
				prefilling.add(s);
			}
		}
		int budget = this.config.maxBatchTokens() - decodes.size();
		List<ScheduledSequence> chunks = new ArrayList<>();
		for (Sequence s : prefilling) {
			if (budget <= 0) {
				break;
			}
			int chunk = Math.min(s.remaining(), budget);
			if (ensureBlocks(s, s.computed + chunk)) {
				chunks.add(s.schedule(chunk));
				budget -= chunk;
			}
		}
		while (budget > 0 && !this.waiting.isEmpty() && this.running.size() < this.config.maxRunning()) {
			Sequence next = this.waiting.peekFirst();
			Sequence source = (next.sharesPromptOf >= 0) ? this.running.get(next.sharesPromptOf) : null;
			// full blocks of the prompt, leaving at least one token to compute (its
			// logits
			// choose the first output token)
			int shared = (source != null) ? (next.promptLength - 1) / this.blocks.blockSize() : 0;
			if (shared > 0 && source.computed < shared * this.blocks.blockSize()) {
				// the prompt is still being computed: wait for it, in arrival order
				break;
			}
			int needed = this.blocks.blocksFor(next.tokens.length + 1) - shared;
			if (needed > this.blocks.freeBlocks()) {
				break;
			}
			this.waiting.pollFirst();
			for (int i = 0; i < shared; i++) {
				this.blocks.share(source.blockTable[i]);
				next.addBlock(source.blockTable[i]);
			}
			next.computed = shared * this.blocks.blockSize();
			next.admittedAt = ++this.admissions;
			this.running.put(next.id, next);
			int chunk = Math.min(next.remaining(), budget);
			ensureBlocks(next, next.computed + chunk);
			if (chunk == 1 && next.remaining() == 1) {
				decodes.add(next);
			}
			else {
				chunks.add(next.schedule(chunk));
			}
			budget -= chunk;
		}
		decodes.sort(Comparator.comparing((Sequence s) -> (s.adapter != null) ? s.adapter : ""));
		List<ScheduledSequence> plan = new ArrayList<>(decodes.size() + chunks.size());
		for (Sequence s : decodes) {
			plan.add(s.schedule(1));
		}
		plan.addAll(chunks);
		return new StepPlan(plan, preempted);
	}

	/**
	 * Takes the outcome of a step.
	 * @param plan the step that ran
	 * @param sampled the token each sampling sequence drew
	 * @param finished sequences that are done (their blocks are freed)
	 */
	public void update(StepPlan plan, Map<Long, Integer> sampled, Set<Long> finished) {
		for (ScheduledSequence scheduled : plan.sequences()) {
			Sequence s = this.running.get(scheduled.id());
			if (s == null) {
				continue;
			}
			s.computed = scheduled.start() + scheduled.tokens().length;
			Integer token = sampled.get(s.id);
			if (token != null) {
				s.append(token);
			}
		}
		for (long id : finished) {
			abort(id);
		}
	}

	/**
	 * Drops a sequence wherever it is, freeing its blocks.
	 * @param id the sequence
	 * @return whether it was known
	 */
	public boolean abort(long id) {
		Sequence s = this.running.remove(id);
		if (s != null) {
			s.releaseBlocks();
			return true;
		}
		return this.waiting.removeIf((w) -> w.id == id);
	}

	public int waitingCount() {
		return this.waiting.size();
	}

	public int runningCount() {
		return this.running.size();
	}

	public boolean isIdle() {
		return this.waiting.isEmpty() && this.running.isEmpty();
	}

	/** KV-cache use, 0..1. */
	public double kvUsage() {
		return this.blocks.usage();
	}

	/** The number of tokens a sequence holds (prompt and output). */
	public int length(long id) {
		Sequence s = this.running.get(id);
		return (s != null) ? s.tokens.length : -1;
	}

	private Sequence newestRunningExcept(Sequence keep) {
		Sequence newest = null;
		for (Sequence s : this.running.values()) {
			if (s != keep && (newest == null || s.admittedAt > newest.admittedAt)) {
				newest = s;
			}
		}
		return newest;
	}

	private void preempt(Sequence s) {
		this.running.remove(s.id);
		s.releaseBlocks();
		s.computed = 0;
		this.waiting.addFirst(s);
	}

	private boolean hasBlocks(Sequence s, int positions) {
		return s.blockCount * this.blocks.blockSize() >= positions;
	}

	private boolean ensureBlocks(Sequence s, int positions) {
		int needed = this.blocks.blocksFor(positions) - s.blockCount;
		if (needed > this.blocks.freeBlocks()) {
			return false;
		}
		for (int i = 0; i < needed; i++) {
			s.addBlock(this.blocks.allocate());
		}
		return true;
	}

	private final class Sequence {

		final long id;

		final String adapter;

		final long sharesPromptOf;

		final int promptLength;

		int[] tokens;

		int computed;

		int[] blockTable = new int[4];

		int blockCount;

		long admittedAt;

		Sequence(long id, int[] prompt, String adapter, long sharesPromptOf, int promptLength) {
			this.id = id;
			this.tokens = prompt.clone();
			this.adapter = adapter;
			this.sharesPromptOf = sharesPromptOf;
			this.promptLength = promptLength;
		}

		int remaining() {
			return this.tokens.length - this.computed;
		}

		ScheduledSequence schedule(int rows) {
			int[] feed = Arrays.copyOfRange(this.tokens, this.computed, this.computed + rows);
			return new ScheduledSequence(this.id, this.adapter, this.computed, feed,
					Arrays.copyOf(this.blockTable, this.blockCount), this.computed + rows == this.tokens.length);
		}

		void append(int token) {
			this.tokens = Arrays.copyOf(this.tokens, this.tokens.length + 1);
			this.tokens[this.tokens.length - 1] = token;
		}

		void addBlock(int block) {
			if (this.blockCount == this.blockTable.length) {
				this.blockTable = Arrays.copyOf(this.blockTable, this.blockCount * 2);
			}
			this.blockTable[this.blockCount++] = block;
		}

		void releaseBlocks() {
			for (int i = 0; i < this.blockCount; i++) {
				Scheduler.this.blocks.release(this.blockTable[i]);
			}
			this.blockCount = 0;
		}

	}

}
