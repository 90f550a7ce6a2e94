package io.quiver.worker.adapter;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

import ai.djl.ndarray.NDManager;
import io.quiver.worker.model.ModelConfig;

/**
 * Holds adapters in two tiers with byte budgets and LRU eviction: host (fused factors in
 * Java memory, loaded off the engine thread, one load per id however many requests ask)
 * and device (tensors, created and used only on the engine thread). Pinned adapters are
 * never evicted; an adapter in use by a running sequence is never evicted from the device
 * tier.
 */
public final class AdapterStore implements AutoCloseable {

	private final ModelConfig config;

	private final Path adaptersDir;

	private final long hostBudget;

	private final long deviceBudget;

	private final ExecutorService loader = Executors.newVirtualThreadPerTaskExecutor();

	private final Map<String, CompletableFuture<LoraWeights>> host = new ConcurrentHashMap<>();

	private final Map<String, Long> hostUse = new ConcurrentHashMap<>();

	private final Set<String> pinned = ConcurrentHashMap.newKeySet();

	private final Map<String, String> digests = new ConcurrentHashMap<>();

	// the directory each held adapter was read from (for remote sources, its cached
	// download)
	private final Map<String, Path> directories = new ConcurrentHashMap<>();

	private final AdapterDownloads downloads;

	private final AtomicLong clock = new AtomicLong();

	// device tier: touched only by the engine thread, in LRU order
	private final LinkedHashMap<String, LoraAdapter> device = new LinkedHashMap<>(16, 0.75f, true);

	// the device tier's ids, readable from any thread (the map above is the engine
	// thread's)
	private final Set<String> deviceIds = ConcurrentHashMap.newKeySet();

	// device tier storage: one bank per rank bucket
	private final Map<Integer, LoraBank> banks = new java.util.TreeMap<>();

	private final Map<String, Integer> inUse = new ConcurrentHashMap<>();

	private final AdapterMetrics metrics = new AdapterMetrics();

	private volatile Map<String, AdapterTier> snapshot = Map.of();

	/**
	 * @param config the base model adapters must fit
	 * @param adaptersDir the folder whose sub-folders are servable by name, or null
	 * @param hostBudget bytes of fused factors the host tier keeps
	 * @param deviceBudget bytes of tensors the device tier keeps
	 * @param downloads how adapters from remote sources are downloaded and cached
	 */
	public AdapterStore(ModelConfig config, Path adaptersDir, long hostBudget, long deviceBudget,
			AdapterDownloadConfig downloads) {
		this.config = config;
		this.adaptersDir = adaptersDir;
		this.hostBudget = hostBudget;
		this.deviceBudget = deviceBudget;
		this.downloads = new AdapterDownloads(downloads);
	}

	public AdapterMetrics metrics() {
		return this.metrics;
	}

	/**
	 * Ids servable from the adapters folder.
	 * @return the sub-folder names holding an {@code adapter_config.json}
	 */
	public List<String> available() {
		List<String> ids = new ArrayList<>();
		if (this.adaptersDir != null && Files.isDirectory(this.adaptersDir)) {
			try (var stream = Files.list(this.adaptersDir)) {
				stream.filter((p) -> Files.isRegularFile(p.resolve("adapter_config.json")))
					.map((p) -> p.getFileName().toString())
					.sorted()
					.forEach(ids::add);
			}
			catch (IOException ex) {
				return ids;
			}
		}
		return ids;
	}

	/**
	 * Whether an adapter can be served without a source: it is held, or its folder is in
	 * the adapters folder.
	 * @param id the adapter id
	 * @return whether it is known
	 */
	public boolean knows(String id) {
		if (this.snapshot.containsKey(id)) {
			return true;
		}
		try {
			AdapterSource.LOCAL.directory(id, this.adaptersDir);
			return true;
		}
		catch (AdapterException ex) {
			return false;
		}
	}

	/**
	 * Ensures an adapter is in the host tier, loading it at most once however many
	 * callers ask at the same time.
	 * @param id the adapter id
	 * @param source where it comes from
	 * @return completes with the factors, or exceptionally with an
	 * {@link AdapterException}
	 */
	public CompletableFuture<LoraWeights> hostWeights(String id, AdapterSource source) {
		this.hostUse.put(id, this.clock.incrementAndGet());
		CompletableFuture<LoraWeights> existing = this.host.get(id);
		if (existing != null && !existing.isCompletedExceptionally()) {
			if (existing.isDone()) {
				this.metrics.hit(AdapterTier.HOST);
				if (source.sha256() != null) {
					Path dir = this.directories.get(id);
					if (dir == null) {
						return CompletableFuture
							.failedFuture(new AdapterException("adapter " + id + " is being evicted; retry"));
					}
					String held = this.digests.computeIfAbsent(id,
							(k) -> sha256(dir.resolve(AdapterDownloads.WEIGHTS), id));
					if (!source.sha256().equalsIgnoreCase(held)) {
						return CompletableFuture.failedFuture(new AdapterException("adapter " + id
								+ " is held with a different sha256 than the request names; use a new version id"));
					}
				}
			}
			return existing;
		}
		CompletableFuture<LoraWeights> created = new CompletableFuture<>();
		CompletableFuture<LoraWeights> raced = this.host.putIfAbsent(id, created);
		if (raced != null && !raced.isCompletedExceptionally()) {
			return raced;
		}
		if (raced != null) {
			this.host.put(id, created);
		}
		publish();
		this.loader.execute(() -> {
			long started = System.nanoTime();
			try {
				LoraWeights weights = read(id, source);
				this.metrics.loaded(System.nanoTime() - started);
				created.complete(weights);
				evictHost();
			}
			catch (RuntimeException ex) {
				this.metrics.failed();
				this.host.remove(id, created);
				created.completeExceptionally(ex);
			}
			publish();
		});
		return created;
	}

	private LoraWeights read(String id, AdapterSource source) {
		Path dir;
		String verified = null;
		if (source.isRemote()) {
			AdapterDownloads.Downloaded downloaded = this.downloads.fetch(id, source);
			dir = downloaded.directory();
			verified = downloaded.sha256();
		}
		else {
			dir = source.directory(id, this.adaptersDir);
		}
		this.directories.put(id, dir);
		if (source.sha256() != null) {
			String digest = (verified != null) ? verified : sha256(dir.resolve(AdapterDownloads.WEIGHTS), id);
			if (!source.sha256().equalsIgnoreCase(digest)) {
				throw new AdapterException("adapter " + id + " failed verification: adapter_model.safetensors has "
						+ "sha256 " + digest + ", the request named " + source.sha256());
			}
			this.digests.put(id, digest);
		}
		else if (verified != null) {
			// known from the download: a later request naming a digest needs no cached
			// file
			this.digests.put(id, verified);
		}
		else {
			this.digests.remove(id);
		}
		return LoraWeights.read(id, dir, this.config);
	}

	private static String sha256(Path file, String id) {
		try (InputStream in = Files.newInputStream(file)) {
			MessageDigest digest = MessageDigest.getInstance("SHA-256");
			byte[] buffer = new byte[1 << 16];
			int n;
			while ((n = in.read(buffer)) > 0) {
				digest.update(buffer, 0, n);
			}
			return HexFormat.of().formatHex(digest.digest());
		}
		catch (IOException ex) {
			throw new AdapterException("adapter " + id + " cannot be read: " + ex.getMessage(), ex);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private synchronized void evictHost() {
		long total = 0;
		List<Map.Entry<String, CompletableFuture<LoraWeights>>> done = new ArrayList<>();
		for (Map.Entry<String, CompletableFuture<LoraWeights>> e : this.host.entrySet()) {
			if (e.getValue().isDone() && !e.getValue().isCompletedExceptionally()) {
				total += e.getValue().join().bytes();
				done.add(e);
			}
		}
		done.sort(java.util.Comparator.comparingLong((e) -> this.hostUse.getOrDefault(e.getKey(), 0L)));
		for (Map.Entry<String, CompletableFuture<LoraWeights>> e : done) {
			if (total <= this.hostBudget) {
				break;
			}
			if (this.pinned.contains(e.getKey())) {
				continue;
			}
			total -= e.getValue().join().bytes();
			this.host.remove(e.getKey(), e.getValue());
			this.metrics.evicted(AdapterTier.HOST);
		}
	}

	/**
	 * The adapter's tensors, created from the host tier if needed; engine thread only.
	 * @param weights the host factors
	 * @param parent the engine's manager
	 * @return the device adapter
	 */
	public LoraAdapter device(LoraWeights weights, NDManager parent) {
		LoraAdapter adapter = this.device.get(weights.id());
		if (adapter != null && adapter.weights() == weights) {
			this.metrics.hit(AdapterTier.DEVICE);
			return adapter;
		}
		if (adapter != null) {
			this.device.remove(weights.id());
			this.deviceIds.remove(weights.id());
			adapter.bank().remove(adapter.slot());
		}
		int rank = LoraBank.bucket(weights.rank());
		LoraBank bank = this.banks.computeIfAbsent(rank,
				(r) -> new LoraBank(this.config, r, parent, LoraBank.capacityFor(this.config, r, this.deviceBudget)));
		adapter = new LoraAdapter(weights, bank, bank.add(weights));
		this.device.put(weights.id(), adapter);
		this.deviceIds.add(weights.id());
		evictDevice();
		publish();
		return adapter;
	}

	private void evictDevice() {
		long total = 0;
		for (LoraAdapter a : this.device.values()) {
			total += a.deviceBytes();
		}
		Iterator<Map.Entry<String, LoraAdapter>> it = this.device.entrySet().iterator();
		while (total > this.deviceBudget && it.hasNext()) {
			Map.Entry<String, LoraAdapter> e = it.next();
			if (this.pinned.contains(e.getKey()) || this.inUse.getOrDefault(e.getKey(), 0) > 0) {
				continue;
			}
			total -= e.getValue().deviceBytes();
			e.getValue().bank().remove(e.getValue().slot());
			it.remove();
			this.deviceIds.remove(e.getKey());
			this.metrics.evicted(AdapterTier.DEVICE);
		}
	}

	/** Marks one more running sequence on an adapter; engine thread only. */
	public void acquire(String id) {
		this.inUse.merge(id, 1, Integer::sum);
	}

	/** Marks one running sequence fewer on an adapter; engine thread only. */
	public void release(String id) {
		this.inUse.computeIfPresent(id, (k, v) -> (v > 1) ? v - 1 : null);
	}

	/** Pins or unpins an adapter. */
	public void pin(String id, boolean pin) {
		if (pin) {
			this.pinned.add(id);
		}
		else {
			this.pinned.remove(id);
		}
		publish();
	}

	/**
	 * Drops an adapter from both tiers; engine thread only.
	 * @param id the adapter
	 * @return false if it is in use by a running sequence (nothing is dropped)
	 */
	public boolean evict(String id) {
		if (this.inUse.getOrDefault(id, 0) > 0) {
			return false;
		}
		this.pinned.remove(id);
		LoraAdapter adapter = this.device.remove(id);
		this.deviceIds.remove(id);
		if (adapter != null) {
			adapter.bank().remove(adapter.slot());
		}
		this.host.remove(id);
		this.digests.remove(id);
		this.directories.remove(id);
		this.downloads.forget(id);
		publish();
		return true;
	}

	/** Whether an adapter is pinned. */
	public boolean isPinned(String id) {
		return this.pinned.contains(id);
	}

	/** Held adapters and their tiers, as of the last change. */
	public Map<String, AdapterTier> tiers() {
		return this.snapshot;
	}

	private synchronized void publish() {
		Map<String, AdapterTier> tiers = new LinkedHashMap<>();
		for (Map.Entry<String, CompletableFuture<LoraWeights>> e : this.host.entrySet()) {
			if (!e.getValue().isDone()) {
				tiers.put(e.getKey(), AdapterTier.LOADING);
			}
			else if (!e.getValue().isCompletedExceptionally()) {
				tiers.put(e.getKey(), AdapterTier.HOST);
			}
		}
		for (String id : this.deviceIds) {
			tiers.put(id, AdapterTier.DEVICE);
		}
		this.snapshot = Map.copyOf(tiers);
	}

	public long hostBudget() {
		return this.hostBudget;
	}

	public long deviceBudget() {
		return this.deviceBudget;
	}

	@Override
	public void close() {
		this.loader.shutdownNow();
		this.downloads.close();
		this.device.clear();
		this.deviceIds.clear();
		this.banks.values().forEach(LoraBank::close);
		this.banks.clear();
	}

}
