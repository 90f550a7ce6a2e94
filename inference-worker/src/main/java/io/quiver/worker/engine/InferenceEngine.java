package io.quiver.worker.engine;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import ai.djl.ndarray.NDManager;
import io.quiver.worker.adapter.AdapterDownloadConfig;
import io.quiver.worker.adapter.AdapterException;
import io.quiver.worker.adapter.AdapterSource;
import io.quiver.worker.adapter.AdapterStore;
import io.quiver.worker.adapter.LoraAdapter;
import io.quiver.worker.adapter.LoraWeights;
import io.quiver.worker.adapter.UnknownAdapterException;
import io.quiver.worker.kvcache.KvCache;
import io.quiver.worker.model.ModelConfig;
import io.quiver.worker.sampler.SampledToken;
import io.quiver.worker.sampler.Sampler;
import io.quiver.worker.scheduler.ScheduledSequence;
import io.quiver.worker.scheduler.Scheduler;
import io.quiver.worker.scheduler.StepPlan;
import io.quiver.worker.tensor.Torch;
import io.quiver.worker.tokenizer.IncrementalDetokenizer;
import io.quiver.worker.tokenizer.TextTokenizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves generation requests with continuous batching. One engine thread owns the model,
 * the KV cache, the scheduler and every sequence's sampler; request threads only
 * {@link #submit} and {@link #cancel}, and receive {@link GenerationEvent}s.
 */
public final class InferenceEngine implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(InferenceEngine.class);

	private final ModelConfig modelConfig;

	private final EngineConfig config;

	private final NDManager manager;

	private final Transformer model;

	private final TextTokenizer tokenizer;

	private final KvCache cache;

	private final Scheduler scheduler;

	private final AdapterStore adapters;

	private final LinkedBlockingQueue<EngineCommand> commands = new LinkedBlockingQueue<>();

	private final AtomicInteger outstanding = new AtomicInteger();

	private final AtomicLong sequenceIds = new AtomicLong();

	private final Map<String, RequestState> requests = new HashMap<>();

	private final Map<Long, SequenceState> sequences = new HashMap<>();

	private final Map<String, LoraAdapter> stepAdapters = new HashMap<>();

	private final Thread thread;

	private volatile boolean draining;

	private volatile EngineStatus status = new EngineStatus(0, 0, 0, 0, 0, 0, 0, 0, false);

	private long steps;

	private long generated;

	private long prefilled;

	private long preemptions;

	private int lastRows;

	private final EngineMetrics metrics = new EngineMetrics();

	/**
	 * Loads a model directory and starts the engine thread, with the default adapter
	 * download settings.
	 * @param modelDir the model directory (Hugging Face layout)
	 * @param adaptersDir the adapters folder, or null
	 * @param config the engine's sizes
	 * @return the running engine
	 * @throws IOException if the model cannot be loaded
	 */
	public static InferenceEngine start(Path modelDir, Path adaptersDir, EngineConfig config) throws IOException {
		return start(modelDir, adaptersDir, config, AdapterDownloadConfig.defaults());
	}

	/**
	 * Loads a model directory and starts the engine thread.
	 * @param modelDir the model directory (Hugging Face layout)
	 * @param adaptersDir the adapters folder, or null
	 * @param config the engine's sizes
	 * @param downloads how adapters from remote sources are downloaded
	 * @return the running engine
	 * @throws IOException if the model cannot be loaded
	 */
	public static InferenceEngine start(Path modelDir, Path adaptersDir, EngineConfig config,
			AdapterDownloadConfig downloads) throws IOException {
		ModelConfig modelConfig = ModelConfig.read(modelDir);
		NDManager manager = Torch.newManager();
		try {
			int maxLength = modelConfig.servedLength(config.maxModelLength());
			Transformer model = Transformer.load(modelConfig, modelDir, manager, maxLength);
			TextTokenizer tokenizer = TextTokenizer.load(modelDir, modelConfig.eosTokenIds());
			KvCache cache = new KvCache(manager, modelConfig.numLayers(), modelConfig.numKvHeads(),
					modelConfig.headDim(), config.kvBlockSize(), config.kvBlocks());
			AdapterStore adapters = new AdapterStore(modelConfig, adaptersDir, config.adapterHostBytes(),
					config.adapterDeviceBytes(), downloads);
			InferenceEngine engine = new InferenceEngine(modelConfig,
					new EngineConfig(config.scheduler(), maxLength, config.kvBlockSize(), config.kvBlocks(),
							config.adapterHostBytes(), config.adapterDeviceBytes()),
					manager, model, tokenizer, cache, adapters);
			engine.thread.start();
			return engine;
		}
		catch (IOException | RuntimeException ex) {
			manager.close();
			throw ex;
		}
	}

	private InferenceEngine(ModelConfig modelConfig, EngineConfig config, NDManager manager, Transformer model,
			TextTokenizer tokenizer, KvCache cache, AdapterStore adapters) {
		this.modelConfig = modelConfig;
		this.config = config;
		this.manager = manager;
		this.model = model;
		this.tokenizer = tokenizer;
		this.cache = cache;
		this.scheduler = new Scheduler(config.scheduler(), cache.blocks());
		this.adapters = adapters;
		this.thread = Thread.ofPlatform().name("quiver-engine").daemon(true).unstarted(this::run);
	}

	public ModelConfig modelConfig() {
		return this.modelConfig;
	}

	public EngineConfig config() {
		return this.config;
	}

	public TextTokenizer tokenizer() {
		return this.tokenizer;
	}

	public AdapterStore adapters() {
		return this.adapters;
	}

	public EngineStatus status() {
		return this.status;
	}

	public EngineMetrics metrics() {
		return this.metrics;
	}

	/** The model itself, for golden tests and benchmarks that drive it directly. */
	public Transformer model() {
		return this.model;
	}

	/**
	 * Queues a request.
	 * @param request the request
	 * @param listener receives its events on the engine thread; must not block
	 * @throws EngineRejectedException when draining or the queue is full
	 */
	public void submit(GenerationRequest request, Consumer<GenerationEvent> listener) {
		if (this.draining) {
			throw new EngineRejectedException(503, "draining", "This worker is draining and takes no new requests");
		}
		int limit = this.config.scheduler().maxRunning() + this.config.scheduler().maxWaiting();
		if (this.outstanding.incrementAndGet() > limit) {
			this.outstanding.decrementAndGet();
			throw new EngineRejectedException(429, "queue_full",
					"This worker's queue is full (" + limit + " requests); retry shortly or on another worker");
		}
		int longest = request.prompt().length + 1;
		if (longest > this.config.maxModelLength()) {
			this.outstanding.decrementAndGet();
			throw new IllegalArgumentException("The prompt has " + request.prompt().length
					+ " tokens; this model serves at most " + this.config.maxModelLength() + " tokens in total");
		}
		if (this.cache.blocks().blocksFor(longest) > this.cache.blocks().totalBlocks()) {
			this.outstanding.decrementAndGet();
			throw new IllegalArgumentException("The prompt is longer than this worker's KV cache holds");
		}
		this.commands.add(new EngineCommand.Submit(request, listener));
	}

	/** Cancels a request (a client went away); its sequences free their blocks. */
	public void cancel(String requestId) {
		this.commands.add(new EngineCommand.Cancel(requestId));
	}

	/**
	 * Loads an adapter into the device tier ahead of use.
	 * @param adapterId the adapter id
	 * @param source where it comes from
	 * @param pin whether to keep it from eviction
	 * @return completes when it is held, or exceptionally
	 */
	public CompletableFuture<Void> preload(String adapterId, AdapterSource source, boolean pin) {
		CompletableFuture<Void> done = new CompletableFuture<>();
		this.commands.add(new EngineCommand.Preload(adapterId, source, pin, done));
		return done;
	}

	/**
	 * Evicts an adapter from every tier.
	 * @param adapterId the adapter id
	 * @return completes with false when it is in use
	 */
	public CompletableFuture<Boolean> evict(String adapterId) {
		CompletableFuture<Boolean> done = new CompletableFuture<>();
		this.commands.add(new EngineCommand.Evict(adapterId, done));
		return done;
	}

	/** Stops admitting new requests; running ones finish. */
	public void drain() {
		this.draining = true;
		this.status = withDraining(this.status);
	}

	private static EngineStatus withDraining(EngineStatus s) {
		return new EngineStatus(s.waiting(), s.running(), s.kvUsage(), s.lastBatchRows(), s.steps(),
				s.generatedTokens(), s.promptTokens(), s.preemptions(), true);
	}

	/** Requests accepted and not yet finished. */
	public int outstanding() {
		return this.outstanding.get();
	}

	private void run() {
		try {
			while (true) {
				EngineCommand command = (this.scheduler.isIdle()) ? this.commands.poll(1, TimeUnit.SECONDS)
						: this.commands.poll();
				boolean stop = false;
				while (command != null) {
					if (command instanceof EngineCommand.Stop) {
						stop = true;
					}
					else {
						handle(command);
					}
					command = this.commands.poll();
				}
				if (stop) {
					return;
				}
				if (!this.scheduler.isIdle()) {
					step();
				}
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private void handle(EngineCommand command) {
		switch (command) {
			case EngineCommand.Submit submit -> accept(submit.request(), submit.listener());
			case EngineCommand.Cancel cancel -> {
				RequestState request = this.requests.get(cancel.requestId());
				if (request != null) {
					finishRequest(request, null);
				}
			}
			case EngineCommand.AdapterReady ready -> {
				RequestState request = this.requests.get(ready.requestId());
				if (request == null) {
					return;
				}
				if (ready.failure() != null) {
					fail(request, ready.failure());
				}
				else {
					request.weights = ready.weights();
					admit(request);
				}
			}
			case EngineCommand.Preload preload -> preload(preload);
			case EngineCommand.Warm warm -> {
				if (warm.failure() != null) {
					warm.done().completeExceptionally(warm.failure());
				}
				else {
					this.adapters.device(warm.weights(), this.manager);
					warm.done().complete(null);
				}
			}
			case EngineCommand.Evict evict -> evict.done().complete(this.adapters.evict(evict.adapterId()));
			case EngineCommand.Stop stop -> {
			}
		}
	}

	private void preload(EngineCommand.Preload preload) {
		if (preload.pin()) {
			this.adapters.pin(preload.adapterId(), true);
		}
		this.adapters.hostWeights(preload.adapterId(), preload.source())
			.whenComplete((weights, failure) -> this.commands
				.add(new EngineCommand.Warm(weights, (failure != null) ? unwrap(failure) : null, preload.done())));
	}

	private void accept(GenerationRequest request, Consumer<GenerationEvent> listener) {
		RequestState state = new RequestState(request, listener);
		this.requests.put(request.requestId(), state);
		if (request.adapterId() == null) {
			admit(state);
			return;
		}
		AdapterSource source = (request.adapterSource() != null) ? request.adapterSource() : AdapterSource.LOCAL;
		CompletableFuture<LoraWeights> weights = this.adapters.hostWeights(request.adapterId(), source);
		if (weights.isDone() && !weights.isCompletedExceptionally()) {
			state.weights = weights.join();
			admit(state);
		}
		else {
			weights.whenComplete((w, failure) -> this.commands.add(new EngineCommand.AdapterReady(request.requestId(),
					w, (failure != null) ? unwrap(failure) : null)));
		}
	}

	private static Throwable unwrap(Throwable failure) {
		return (failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null)
				? failure.getCause() : failure;
	}

	private void admit(RequestState request) {
		GenerationRequest r = request.request;
		long first = -1;
		for (int i = 0; i < r.n(); i++) {
			long id = this.sequenceIds.incrementAndGet();
			SequenceState seq = new SequenceState(id, i, request,
					new Sampler(r.sampling(), this.modelConfig.vocabSize(), r.prompt(), i),
					new IncrementalDetokenizer(this.tokenizer), new StopStringFilter(r.stop()));
			// the choices after the first share the first one's prompt blocks
			if (!this.scheduler.add(id, r.prompt(), r.adapterId(), first)) {
				finishRequest(request, new GenerationEvent.Failed(429, "rate_limit_exceeded", "queue_full",
						"This worker's queue is full; retry shortly or on another worker"));
				return;
			}
			if (first < 0) {
				first = id;
			}
			request.live.add(id);
			this.sequences.put(id, seq);
			if (r.adapterId() != null) {
				this.adapters.acquire(r.adapterId());
			}
		}
	}

	private void fail(RequestState request, Throwable failure) {
		GenerationEvent.Failed event;
		if (failure instanceof UnknownAdapterException) {
			event = new GenerationEvent.Failed(404, "invalid_request_error", "model_not_found", failure.getMessage());
		}
		else if (failure instanceof AdapterException) {
			event = new GenerationEvent.Failed(400, "invalid_request_error", "adapter_invalid", failure.getMessage());
		}
		else {
			logger.error("Request {} failed", request.request.requestId(), failure);
			event = new GenerationEvent.Failed(500, "server_error", null, "The worker failed to serve this request");
		}
		finishRequest(request, event);
	}

	private void finishRequest(RequestState request, GenerationEvent last) {
		for (long id : request.live) {
			this.scheduler.abort(id);
			this.sequences.remove(id);
			if (request.request.adapterId() != null) {
				this.adapters.release(request.request.adapterId());
			}
		}
		request.live.clear();
		this.requests.remove(request.request.requestId());
		this.outstanding.decrementAndGet();
		if (last != null) {
			request.listener.accept(last);
		}
	}

	private void step() {
		StepPlan plan = this.scheduler.schedule();
		this.preemptions += plan.preempted().size();
		if (plan.isEmpty()) {
			publishStatus();
			return;
		}
		long started = System.nanoTime();
		StepBatch batch;
		try {
			batch = toBatch(plan);
		}
		catch (RuntimeException ex) {
			failAll(plan, ex);
			return;
		}
		float[] logits;
		try {
			logits = this.model.forward(batch.batch(), this.cache);
		}
		catch (RuntimeException ex) {
			failAll(plan, ex);
			return;
		}
		int vocab = this.modelConfig.vocabSize();
		Map<Long, Integer> sampled = new HashMap<>();
		Set<Long> finished = new HashSet<>();
		int row = 0;
		int promptRows = 0;
		for (ScheduledSequence s : batch.order()) {
			SequenceState seq = this.sequences.get(s.id());
			if (!s.decode()) {
				promptRows += s.tokens().length;
			}
			if (!s.samples()) {
				continue;
			}
			int logitRow = row++;
			if (seq == null) {
				continue;
			}
			SampledToken token = seq.sampler.sample(logits, logitRow * vocab, vocab);
			sampled.put(s.id(), token.id());
			this.generated++;
			if (seq.generated == 0) {
				seq.firstTokenAt = System.nanoTime();
				this.metrics.firstToken(seq.firstTokenAt - seq.request.arrived);
			}
			if (seq.accept(token, s.start() + s.tokens().length + 1)) {
				finished.add(s.id());
				this.metrics.finished(seq.generated, System.nanoTime() - seq.firstTokenAt);
			}
		}
		this.scheduler.update(plan, sampled, finished);
		for (long id : finished) {
			SequenceState seq = this.sequences.remove(id);
			if (seq != null) {
				seq.request.live.remove(id);
				if (seq.request.request.adapterId() != null) {
					this.adapters.release(seq.request.request.adapterId());
				}
				if (seq.request.live.isEmpty()) {
					this.requests.remove(seq.request.request.requestId());
					this.outstanding.decrementAndGet();
					seq.request.listener.accept(
							new GenerationEvent.Completed(seq.request.request.prompt().length, seq.request.completion));
				}
			}
		}
		this.steps++;
		this.prefilled += promptRows;
		this.lastRows = plan.rows();
		this.metrics.step(plan.rows(), sampled.size(), System.nanoTime() - started);
		if (logger.isTraceEnabled()) {
			logger.trace("step {}: {} rows, {} sequences, {} sampled", this.steps, plan.rows(), plan.sequences().size(),
					sampled.size());
		}
		publishStatus();
	}

	private void publishStatus() {
		this.status = new EngineStatus(this.scheduler.waitingCount() + pendingAdapters(), this.scheduler.runningCount(),
				this.scheduler.kvUsage(), this.lastRows, this.steps, this.generated, this.prefilled, this.preemptions,
				this.draining);
	}

	private int pendingAdapters() {
		int pending = 0;
		for (RequestState r : this.requests.values()) {
			if (r.live.isEmpty()) {
				pending++;
			}
		}
		return pending;
	}

	private void failAll(StepPlan plan, RuntimeException ex) {
		logger.error("A forward pass of {} sequences failed", plan.sequences().size(), ex);
		Set<RequestState> failed = new HashSet<>();
		for (ScheduledSequence s : plan.sequences()) {
			SequenceState seq = this.sequences.get(s.id());
			if (seq != null) {
				failed.add(seq.request);
			}
		}
		for (RequestState r : failed) {
			finishRequest(r,
					new GenerationEvent.Failed(500, "server_error", null, "The worker failed to serve this request"));
		}
	}

	/** A step's forward batch and the sequences in its row order. */
	private record StepBatch(ForwardBatch batch, List<ScheduledSequence> order) {
	}

	/**
	 * Builds the forward batch: decode rows ordered by adapter bank and slot (so each
	 * bank's rows sit together), base rows after them, then prefill chunks.
	 */
	private StepBatch toBatch(StepPlan plan) {
		this.stepAdapters.clear();
		List<ScheduledSequence> decodes = new ArrayList<>();
		List<ScheduledSequence> prefills = new ArrayList<>();
		for (ScheduledSequence s : plan.sequences()) {
			if (s.adapter() != null) {
				this.stepAdapters.computeIfAbsent(s.adapter(),
						(id) -> this.adapters.device(this.sequences.get(s.id()).request.weights, this.manager));
			}
			(s.decode() ? decodes : prefills).add(s);
		}
		decodes.sort(java.util.Comparator.comparingLong((ScheduledSequence s) -> {
			LoraAdapter a = (s.adapter() != null) ? this.stepAdapters.get(s.adapter()) : null;
			return (a == null) ? Long.MAX_VALUE : ((long) a.bank().rank() << 32) + a.slot();
		}));
		List<ScheduledSequence> order = new ArrayList<>(decodes);
		order.addAll(prefills);
		int rows = plan.rows();
		int[] tokens = new int[rows];
		int[] positions = new int[rows];
		long[] slots = new long[rows];
		List<ForwardBatch.SequenceRows> seqs = new ArrayList<>(order.size());
		List<ForwardBatch.LoraRows> lora = new ArrayList<>();
		List<Integer> logitRows = new ArrayList<>();
		int blockSize = this.cache.blocks().blockSize();
		int row = 0;
		for (ScheduledSequence s : order) {
			int first = row;
			int context = s.start() + s.tokens().length;
			long[] contextSlots = new long[context];
			for (int p = 0; p < context; p++) {
				contextSlots[p] = (long) s.blockTable()[p / blockSize] * blockSize + p % blockSize;
			}
			for (int t = 0; t < s.tokens().length; t++) {
				tokens[row] = s.tokens()[t];
				positions[row] = s.start() + t;
				slots[row] = contextSlots[s.start() + t];
				row++;
			}
			seqs.add(new ForwardBatch.SequenceRows(first, s.tokens().length, contextSlots));
			if (s.samples()) {
				logitRows.add(row - 1);
			}
			if (s.adapter() != null) {
				LoraAdapter adapter = this.stepAdapters.get(s.adapter());
				ForwardBatch.LoraRows last = lora.isEmpty() ? null : lora.get(lora.size() - 1);
				if (last != null && s.decode() && last.adapter() == adapter && last.firstRow() + last.rows() == first) {
					lora.set(lora.size() - 1, new ForwardBatch.LoraRows(last.firstRow(), last.rows() + 1, adapter));
				}
				else {
					lora.add(new ForwardBatch.LoraRows(first, s.tokens().length, adapter));
				}
			}
		}
		return new StepBatch(new ForwardBatch(tokens, positions, slots, seqs, lora,
				logitRows.stream().mapToInt(Integer::intValue).toArray()), order);
	}

	@Override
	public void close() {
		this.draining = true;
		this.commands.add(new EngineCommand.Stop());
		try {
			this.thread.join(10_000);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		this.adapters.close();
		this.tokenizer.close();
		this.manager.close();
	}

	private final class RequestState {

		final GenerationRequest request;

		final Consumer<GenerationEvent> listener;

		final Set<Long> live = new HashSet<>();

		final long arrived = System.nanoTime();

		LoraWeights weights;

		int completion;

		RequestState(GenerationRequest request, Consumer<GenerationEvent> listener) {
			this.request = request;
			this.listener = listener;
		}

	}

	private final class SequenceState {

		final long id;

		final int index;

		final RequestState request;

		final Sampler sampler;

		final IncrementalDetokenizer detokenizer;

		final StopStringFilter stops;

		final List<GenerationEvent.TokenInfo> pendingTokens = new ArrayList<>();

		// tokens drawn since the last delta
		int pendingDrawn;

		int generated;

		long firstTokenAt;

		SequenceState(long id, int index, RequestState request, Sampler sampler, IncrementalDetokenizer detokenizer,
				StopStringFilter stops) {
			this.id = id;
			this.index = index;
			this.request = request;
			this.sampler = sampler;
			this.detokenizer = detokenizer;
			this.stops = stops;
		}

		/**
		 * Takes a drawn token and emits what it completes.
		 * @param token the token
		 * @param length the sequence's length with it
		 * @return whether the choice is finished
		 */
		boolean accept(SampledToken token, int length) {
			GenerationRequest r = this.request.request;
			this.generated++;
			this.request.completion++;
			this.pendingDrawn++;
			boolean eos = !r.ignoreEos() && InferenceEngine.this.tokenizer.eosTokenIds().contains(token.id());
			String reason = null;
			String text;
			if (eos || r.stopTokenIds().contains(token.id())) {
				reason = "stop";
				text = release();
			}
			else {
				text = this.stops.push(this.detokenizer.next(token.id()));
				if (this.stops.stopped()) {
					reason = "stop";
				}
			}
			if (!Double.isNaN(token.logprob())) {
				this.pendingTokens.add(info(token));
			}
			if (reason == null
					&& (this.generated >= r.maxTokens() || length >= InferenceEngine.this.config.maxModelLength())) {
				text = text + release();
				reason = this.stops.stopped() ? "stop" : "length";
			}
			if (!text.isEmpty() || (reason == null && !this.pendingTokens.isEmpty())) {
				this.request.listener.accept(new GenerationEvent.Delta(this.index, text,
						List.copyOf(this.pendingTokens), this.pendingDrawn));
				this.pendingTokens.clear();
				this.pendingDrawn = 0;
			}
			if (reason != null) {
				if (this.pendingDrawn > 0) {
					this.request.listener.accept(new GenerationEvent.Delta(this.index, "",
							List.copyOf(this.pendingTokens), this.pendingDrawn));
					this.pendingTokens.clear();
					this.pendingDrawn = 0;
				}
				this.request.listener.accept(new GenerationEvent.Finished(this.index, reason));
				return true;
			}
			return false;
		}

		/** The text held back by the detokenizer and the stop filter, at the end. */
		private String release() {
			String text = this.stops.push(this.detokenizer.flush());
			return this.stops.stopped() ? text : text + this.stops.flush();
		}

		private GenerationEvent.TokenInfo info(SampledToken token) {
			List<GenerationEvent.Alternative> top = new ArrayList<>(token.top().size());
			for (SampledToken.Alternative a : token.top()) {
				top.add(new GenerationEvent.Alternative(a.id(), tokenText(a.id()), a.logprob()));
			}
			return new GenerationEvent.TokenInfo(token.id(), tokenText(token.id()), token.logprob(), top);
		}

		private String tokenText(int id) {
			return InferenceEngine.this.tokenizer.decode(new int[] { id });
		}

	}

}
