package io.quiver.tenancy.adapter;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;

import io.quiver.tenancy.tenant.Tenant;
import io.quiver.tenancy.web.TenantPaths;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

/**
 * A tenant's adapters ({@code /adapters}): versions are uploaded as PEFT files
 * (multipart) or registered by URI.
 */
@RestController
class AdaptersController {

	private final AdapterService adapters;

	private final TenantPaths tenants;

	AdaptersController(AdapterService adapters, TenantPaths tenants) {
		this.adapters = adapters;
		this.tenants = tenants;
	}

	@GetMapping("/admin/v1/tenants/{tenant}/adapters")
	List<AdapterView> list(@PathVariable String tenant) {
		Tenant owner = this.tenants.require(tenant);
		return this.adapters.list(owner).stream().map((adapter) -> view(owner, adapter)).toList();
	}

	@GetMapping("/admin/v1/tenants/{tenant}/adapters/{name}")
	AdapterView get(@PathVariable String tenant, @PathVariable String name) {
		Tenant owner = this.tenants.require(tenant);
		return view(owner, this.adapters.find(owner, name));
	}

	@PatchMapping("/admin/v1/tenants/{tenant}/adapters/{name}")
	AdapterView change(@PathVariable String tenant, @PathVariable String name, @RequestBody AdapterChange body,
			Authentication authentication) {
		Tenant owner = this.tenants.require(tenant);
		return view(owner,
				this.adapters.setDefaultVersion(owner, name, body.defaultVersion(), authentication.getName()));
	}

	@PostMapping(path = "/admin/v1/tenants/{tenant}/adapters/{name}/versions",
			consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
	@ResponseStatus(HttpStatus.CREATED)
	VersionView upload(@PathVariable String tenant, @PathVariable String name,
			@RequestPart("adapter_config") MultipartFile config, @RequestPart("adapter_model") MultipartFile weights,
			@RequestParam(name = "baseModel", required = false) String baseModel, Authentication authentication)
			throws IOException {
		Tenant owner = this.tenants.require(tenant);
		this.adapters.requireConfigSize(config.getSize());
		try (InputStream in = weights.getInputStream()) {
			return VersionView
				.of(this.adapters.upload(owner, name, config.getBytes(), in, baseModel, authentication.getName()));
		}
	}

	@PostMapping(path = "/admin/v1/tenants/{tenant}/adapters/{name}/versions",
			consumes = MediaType.APPLICATION_JSON_VALUE)
	@ResponseStatus(HttpStatus.CREATED)
	VersionView register(@PathVariable String tenant, @PathVariable String name, @RequestBody NewVersion body,
			Authentication authentication) {
		Tenant owner = this.tenants.require(tenant);
		PeftSummary peft = new PeftSummary(body.rank(), body.alpha(), body.targetModules(), body.baseModel());
		return VersionView
			.of(this.adapters.register(owner, name, body.sourceUri(), body.sha256(), peft, authentication.getName()));
	}

	@GetMapping("/admin/v1/tenants/{tenant}/adapters/{name}/versions")
	List<VersionView> versions(@PathVariable String tenant, @PathVariable String name) {
		return this.adapters.versions(this.tenants.require(tenant), name).stream().map(VersionView::of).toList();
	}

	@GetMapping("/admin/v1/tenants/{tenant}/adapters/{name}/versions/{version}")
	VersionView version(@PathVariable String tenant, @PathVariable String name, @PathVariable String version) {
		return VersionView.of(this.adapters.findVersion(this.tenants.require(tenant), name, version));
	}

	@PatchMapping("/admin/v1/tenants/{tenant}/adapters/{name}/versions/{version}")
	VersionView changeVersion(@PathVariable String tenant, @PathVariable String name, @PathVariable String version,
			@RequestBody VersionChange body, Authentication authentication) {
		return VersionView.of(this.adapters.setStatus(this.tenants.require(tenant), name, version, body.status(),
				authentication.getName()));
	}

	private AdapterView view(Tenant tenant, Adapter adapter) {
		List<VersionView> versions = this.adapters.versions(tenant, adapter.getName())
			.stream()
			.map(VersionView::of)
			.toList();
		return new AdapterView(adapter.getName(), adapter.getDefaultVersion(), adapter.getCreatedAt(),
				adapter.getCreatedBy(), versions);
	}

	record NewVersion(String sourceUri, String sha256, int rank, Double alpha, List<String> targetModules,
			String baseModel) {
	}

	record AdapterChange(String defaultVersion) {
	}

	record VersionChange(String status) {
	}

	record AdapterView(String name, String defaultVersion, Instant createdAt, String createdBy,
			List<VersionView> versions) {
	}

	record VersionView(String version, String status, String baseModel, int rank, Double alpha,
			List<String> targetModules, String sourceUri, String sha256, Long sizeBytes, Instant registeredAt,
			String registeredBy) {

		static VersionView of(AdapterVersion version) {
			return new VersionView(version.getVersion(), version.getStatus(), version.getBaseModel(), version.getRank(),
					version.getAlpha(), version.getTargetModules(), version.getSourceUri(), version.getSha256(),
					version.getSizeBytes(), version.getRegisteredAt(), version.getRegisteredBy());
		}

	}

}
