package io.quiver.tenancy.adapter;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

import io.quiver.tenancy.tenant.Tenant;
import io.quiver.tenancy.tenant.TenantRepository;
import io.quiver.tenancy.web.NotFoundException;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The adapter registry: registers versions (uploaded or by URI), lists them, and resolves
 * the {@code model} of an OpenAI request in the caller's tenant.
 */
@Service
public class AdapterService {

	private static final Pattern NAME = Pattern.compile("^[a-z0-9][a-z0-9._-]{0,62}$");

	private static final Pattern VERSION = Pattern.compile("^v[1-9][0-9]{0,8}$");

	private static final Pattern SHA256 = Pattern.compile("^[0-9a-f]{64}$");

	/** adapter_config.json is small; anything bigger is not one. */
	private static final int MAX_CONFIG_BYTES = 1024 * 1024;

	private final AdapterRepository adapters;

	private final AdapterVersionRepository versions;

	private final TenantRepository tenants;

	private final AdapterStore store;

	private final AdapterProperties properties;

	private final ApplicationEventPublisher events;

	private final Clock clock = Clock.systemUTC();

	AdapterService(AdapterRepository adapters, AdapterVersionRepository versions, TenantRepository tenants,
			AdapterStore store, AdapterProperties properties, ApplicationEventPublisher events) {
		this.adapters = adapters;
		this.versions = versions;
		this.tenants = tenants;
		this.store = store;
		this.properties = properties;
		this.events = events;
	}

	/**
	 * @return the largest weights file an upload may carry
	 */
	public long maxUploadBytes() {
		return this.properties.maxUploadSize().toBytes();
	}

	/**
	 * Refuses an {@code adapter_config.json} too large to be one, before it is read into
	 * memory.
	 * @param bytes its size
	 * @throws IllegalArgumentException if it is too large
	 */
	public void requireConfigSize(long bytes) {
		if (bytes > MAX_CONFIG_BYTES) {
			throw new IllegalArgumentException("adapter_config.json is too large");
		}
	}

	/**
	 * Registers a new version from uploaded PEFT files after validating them.
	 * @param tenant the tenant
	 * @param name the adapter's name (created on first version)
	 * @param config the bytes of {@code adapter_config.json}
	 * @param weights the stream of {@code adapter_model.safetensors}
	 * @param baseModel the base model id, or {@code null} to take the config's
	 * @param registeredBy who asks
	 * @return the new version
	 * @throws IOException if storage fails
	 */
	@Transactional
	public AdapterVersion upload(Tenant tenant, String name, byte[] config, InputStream weights, String baseModel,
			String registeredBy) throws IOException {
		requireName(name);
		requireConfigSize(config.length);
		PeftSummary peft = PeftValidator.readConfig(config, baseModel);
		AdapterStore.Staged staged = this.store.stage(weights, maxUploadBytes());
		try {
			PeftValidator.checkWeights(staged.weights(), peft, this.properties.baseModels().get(peft.baseModel()));
			Adapter adapter = adapterFor(tenant, name, registeredBy);
			int number = nextNumber(adapter);
			String uri = this.store.publish(staged, config, tenant.getSlug(), name, "v" + number);
			return save(tenant, adapter, number, uri, staged.sha256(), peft, staged.size(), registeredBy);
		}
		finally {
			Files.deleteIfExists(staged.weights());
		}
	}

	/**
	 * Registers a new version whose files live elsewhere (an object store, a model hub).
	 * @param tenant the tenant
	 * @param name the adapter's name (created on first version)
	 * @param sourceUri where a worker fetches the PEFT directory
	 * @param sha256 the digest of {@code adapter_model.safetensors}, hex
	 * @param peft what the adapter declares
	 * @param registeredBy who asks
	 * @return the new version
	 */
	@Transactional
	public AdapterVersion register(Tenant tenant, String name, String sourceUri, String sha256, PeftSummary peft,
			String registeredBy) {
		requireName(name);
		requireSource(tenant, sourceUri);
		if (sha256 == null || !SHA256.matcher(sha256).matches()) {
			throw new IllegalArgumentException("'sha256' must be 64 lower-case hex digits");
		}
		Adapter adapter = adapterFor(tenant, name, registeredBy);
		return save(tenant, adapter, nextNumber(adapter), sourceUri, sha256, peft, null, registeredBy);
	}

	private AdapterVersion save(Tenant tenant, Adapter adapter, int number, String uri, String sha256, PeftSummary peft,
			Long size, String registeredBy) {
		AdapterVersion version = this.versions
			.save(new AdapterVersion(adapter, number, uri, sha256, peft, size, this.clock.instant(), registeredBy));
		this.events.publishEvent(new AdapterRegistered(tenant.getId(), adapter.getName(), version.getVersion(), uri,
				sha256, registeredBy));
		return version;
	}

	@Transactional
	public Adapter setDefaultVersion(Tenant tenant, String name, String version, String changedBy) {
		Adapter adapter = find(tenant, name);
		if (version != null) {
			this.versions.findByAdapterIdAndVersion(adapter.getId(), version)
				.filter(AdapterVersion::isReady)
				.orElseThrow(() -> new IllegalArgumentException("No ready version '" + version + "'"));
		}
		adapter.setDefaultVersion(version);
		this.events.publishEvent(new AdapterChanged(tenant.getId(), name, "default_version=" + version, changedBy));
		return adapter;
	}

	@Transactional
	public AdapterVersion setStatus(Tenant tenant, String name, String version, String status, String changedBy) {
		if (!AdapterVersion.READY.equals(status) && !AdapterVersion.DISABLED.equals(status)) {
			throw new IllegalArgumentException("'status' must be ready or disabled");
		}
		AdapterVersion found = findVersion(tenant, name, version);
		found.setStatus(status);
		this.events.publishEvent(new AdapterChanged(tenant.getId(), name, version + "=" + status, changedBy));
		return found;
	}

	@Transactional(readOnly = true)
	public List<Adapter> list(Tenant tenant) {
		return this.adapters.findByTenantIdOrderByName(tenant.getId());
	}

	@Transactional(readOnly = true)
	public Adapter find(Tenant tenant, String name) {
		return this.adapters.findByTenantIdAndName(tenant.getId(), name).orElseThrow(NotFoundException::new);
	}

	@Transactional(readOnly = true)
	public List<AdapterVersion> versions(Tenant tenant, String name) {
		return this.versions.findByAdapterIdOrderByNumberDesc(find(tenant, name).getId());
	}

	@Transactional(readOnly = true)
	public AdapterVersion findVersion(Tenant tenant, String name, String version) {
		return this.versions.findByAdapterIdAndVersion(find(tenant, name).getId(), version)
			.orElseThrow(NotFoundException::new);
	}

	/**
	 * Resolves the {@code model} of an OpenAI request in one tenant's namespace:
	 * {@code name} is the default (or newest ready) version, {@code name@v3} that
	 * version. Another tenant's adapters are never looked at.
	 * @param tenantId the caller's tenant
	 * @param model what the request asked for
	 * @return the ready adapter version, if the tenant has one of that name
	 */
	@Transactional(readOnly = true)
	public Optional<ResolvedAdapter> resolve(UUID tenantId, String model) {
		int at = model.indexOf('@');
		String name = (at < 0) ? model : model.substring(0, at);
		String pinned = (at < 0) ? null : model.substring(at + 1);
		if (!NAME.matcher(name).matches() || (pinned != null && !VERSION.matcher(pinned).matches())) {
			return Optional.empty();
		}
		Optional<Adapter> adapter = this.adapters.findByTenantIdAndName(tenantId, name);
		if (adapter.isEmpty()) {
			return Optional.empty();
		}
		String wanted = (pinned != null) ? pinned : adapter.get().getDefaultVersion();
		Optional<AdapterVersion> version = (wanted != null)
				? this.versions.findByAdapterIdAndVersion(adapter.get().getId(), wanted)
				: this.versions.findByAdapterIdOrderByNumberDesc(adapter.get().getId())
					.stream()
					.filter(AdapterVersion::isReady)
					.findFirst();
		String slug = this.tenants.findById(tenantId).map(Tenant::getSlug).orElseThrow();
		return version.filter(AdapterVersion::isReady)
			.map((found) -> new ResolvedAdapter(slug + "/" + name + "@" + found.getVersion(), name, found.getVersion(),
					found.getBaseModel(), found.getSourceUri(), found.getSha256()));
	}

	/**
	 * @param tenantId the caller's tenant
	 * @return every ready version of the tenant's adapters, newest first
	 */
	@Transactional(readOnly = true)
	public List<AdapterVersion> readyVersions(UUID tenantId) {
		return this.versions.findByTenantIdAndStatusOrderByNumberDesc(tenantId, AdapterVersion.READY);
	}

	/**
	 * @param adapterId an adapter's id
	 * @return its name
	 */
	@Transactional(readOnly = true)
	public Optional<String> nameOf(UUID adapterId) {
		return this.adapters.findById(adapterId).map(Adapter::getName);
	}

	/**
	 * The adapter a new version goes to, created on its first version, its row locked
	 * until the transaction ends: concurrent uploads of one adapter take version numbers
	 * one after another instead of racing for the same one (and, with a bucket store,
	 * overwriting each other's files before one of them lost).
	 */
	private Adapter adapterFor(Tenant tenant, String name, String createdBy) {
		this.adapters.insertIfAbsent(UUID.randomUUID(), tenant.getId(), name, this.clock.instant(), createdBy);
		return this.adapters.lockByTenantIdAndName(tenant.getId(), name).orElseThrow();
	}

	private int nextNumber(Adapter adapter) {
		return this.versions.findByAdapterIdOrderByNumberDesc(adapter.getId())
			.stream()
			.mapToInt(AdapterVersion::getNumber)
			.max()
			.orElse(0) + 1;
	}

	private static void requireName(String name) {
		if (name == null || !NAME.matcher(name).matches()) {
			throw new IllegalArgumentException(
					"Adapter names are 1 to 63 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit");
		}
	}

	/**
	 * A source a tenant names must be fetched from outside the worker's network: a
	 * {@code file:} URI would have workers read their own file system on a tenant's say
	 * (another tenant's uploads among it), so only the platform's own store, for uploads,
	 * hands those out, and for the same reason no URI may point into a bucket uploads are
	 * published to; an {@code https:} URI must name a host the platform allows, or
	 * tenants could have workers call services inside the network. {@code s3},
	 * {@code gs}, {@code az} and {@code hf} sources go to the object stores and hub the
	 * workers are configured with, which read them with the platform's identity, so they
	 * must lie under a location the platform lists for the tenant.
	 */
	private void requireSource(Tenant tenant, String sourceUri) {
		if (sourceUri == null) {
			throw new IllegalArgumentException("'sourceUri' is required");
		}
		URI uri;
		try {
			uri = URI.create(sourceUri);
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException("'sourceUri' is not a valid URI");
		}
		String scheme = uri.getScheme();
		if ("file".equalsIgnoreCase(scheme)) {
			throw new IllegalArgumentException("'sourceUri' may not be a file URI: upload the adapter's files "
					+ "instead, or register an https, s3, gs, az or hf URI");
		}
		if (scheme == null || !(scheme.equals("https") || AdapterProperties.BUCKET_SCHEMES.contains(scheme))) {
			throw new IllegalArgumentException(
					"'sourceUri' must be an https, s3, gs, az or hf URI (the schemes workers read)");
		}
		if (this.store.owns(uri)) {
			throw new IllegalArgumentException("'sourceUri' points into the platform's adapter store, which only "
					+ "uploads may: upload the adapter's files instead");
		}
		if (scheme.equals("https") && !this.properties.allowsHttpsHost(uri)) {
			throw new IllegalArgumentException("'sourceUri' names a host this platform does not fetch adapters from"
					+ " (its operators list them in quiver.adapters.https-source-hosts)");
		}
		if (!scheme.equals("https") && !this.properties.allowsBucketSource(uri, tenant.getSlug())) {
			throw new IllegalArgumentException("'sourceUri' is outside the locations this platform lets tenant '"
					+ tenant.getSlug() + "' register adapters from (its operators list them in "
					+ "quiver.adapters.bucket-sources)");
		}
	}

}
