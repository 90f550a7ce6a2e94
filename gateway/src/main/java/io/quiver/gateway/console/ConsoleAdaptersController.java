package io.quiver.gateway.console;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.quiver.gateway.routing.AdapterPlacement;
import io.quiver.gateway.routing.WorkerPool;
import io.quiver.gateway.security.Caller;
import io.quiver.tenancy.adapter.Adapter;
import io.quiver.tenancy.adapter.AdapterService;
import io.quiver.tenancy.adapter.AdapterVersion;
import io.quiver.tenancy.adapter.PeftSummary;
import io.quiver.tenancy.adapter.ResolvedAdapter;
import io.quiver.tenancy.member.Scopes;
import io.quiver.tenancy.tenant.Tenant;
import io.quiver.tenancy.web.NotFoundException;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.boot.servlet.autoconfigure.MultipartProperties;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.util.unit.DataSize;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.multipart.MultipartFile;

/**
 * A tenant's adapters: the list, a new version uploaded as PEFT files or registered by
 * URI, one adapter's versions with its default, and which workers hold each version now.
 * Every change goes through {@link AdapterService}, so it is validated, limited and
 * audited exactly as through the admin API.
 */
@Controller
class ConsoleAdaptersController {

	private final ConsoleTenants tenants;

	private final AdapterService adapters;

	private final WorkerPool pool;

	private final MultipartProperties multipart;

	ConsoleAdaptersController(ConsoleTenants tenants, AdapterService adapters, WorkerPool pool,
			MultipartProperties multipart) {
		this.tenants = tenants;
		this.adapters = adapters;
		this.pool = pool;
		this.multipart = multipart;
	}

	@GetMapping("/console/t/{tenantSlug}/adapters")
	String list(@AuthenticationPrincipal Caller caller, @PathVariable("tenantSlug") String tenant,
			@RequestParam(required = false) String upload, Model model) {
		Tenant owner = this.tenants.open(caller, tenant, Scopes.ADAPTERS_READ);
		if ("too-large".equals(upload)) {
			// Where ConsoleUploadLimitFilter sends an upload over the multipart limits.
			model.addAttribute("uploadErrors",
					Map.of("weights",
							"The upload was too large, so nothing was stored. An upload may be at most "
									+ size(this.multipart.getMaxRequestSize()) + " in all and "
									+ size(this.multipart.getMaxFileSize()) + " a file."));
		}
		return listPage(owner, model);
	}

	@PostMapping("/console/t/{tenantSlug}/adapters/upload")
	String upload(@AuthenticationPrincipal Caller caller, @PathVariable("tenantSlug") String tenant,
			@RequestParam(defaultValue = "") String name, @RequestParam(required = false) MultipartFile config,
			@RequestParam(required = false) MultipartFile weights, Model model, HttpServletResponse response)
			throws IOException {
		Tenant owner = this.tenants.open(caller, tenant, Scopes.ADAPTERS_WRITE);
		Map<String, String> errors = new LinkedHashMap<>();
		if (config == null || config.isEmpty()) {
			errors.put("config", "Choose the adapter_config.json file.");
		}
		if (weights == null || weights.isEmpty()) {
			errors.put("weights", "Choose the adapter_model.safetensors file.");
		}
		if (errors.isEmpty()) {
			try (InputStream in = weights.getInputStream()) {
				this.adapters.requireConfigSize(config.getSize());
				AdapterVersion version = this.adapters.upload(owner, name.trim(), config.getBytes(), in, null,
						caller.subject());
				return registered(owner, name.trim(), version);
			}
			catch (IllegalArgumentException ex) {
				errors.put(fieldOf(ex.getMessage(), "name", "config", "weights"), ex.getMessage());
			}
		}
		model.addAttribute("uploadErrors", errors);
		model.addAttribute("uploadName", name);
		response.setStatus(HttpStatus.UNPROCESSABLE_CONTENT.value());
		return listPage(owner, model);
	}

	@PostMapping("/console/t/{tenantSlug}/adapters/register")
	String register(@AuthenticationPrincipal Caller caller, @PathVariable("tenantSlug") String tenant,
			@ModelAttribute("registration") Registration registration, Model model, HttpServletResponse response) {
		Tenant owner = this.tenants.open(caller, tenant, Scopes.ADAPTERS_WRITE);
		Map<String, String> errors = new LinkedHashMap<>();
		Integer rank = null;
		try {
			rank = Integer.valueOf(registration.rank().trim());
		}
		catch (NumberFormatException | NullPointerException ex) {
			errors.put("rank", "The rank must be a whole number.");
		}
		Double alpha = null;
		if (registration.alpha() != null && !registration.alpha().isBlank()) {
			try {
				alpha = Double.valueOf(registration.alpha().trim());
			}
			catch (NumberFormatException ex) {
				errors.put("alpha", "Alpha must be a number, or empty.");
			}
		}
		List<String> modules = Arrays.stream(String.valueOf(registration.targetModules()).split("[,\\s]+"))
			.filter((module) -> !module.isBlank() && !module.equals("null"))
			.toList();
		if (errors.isEmpty()) {
			try {
				PeftSummary peft = new PeftSummary(rank, alpha, modules, blankToNull(registration.baseModel()));
				String name = String.valueOf(registration.name()).trim();
				AdapterVersion version = this.adapters.register(owner, name, blankToNull(registration.sourceUri()),
						String.valueOf(registration.sha256()).trim(), peft, caller.subject());
				return registered(owner, name, version);
			}
			catch (IllegalArgumentException ex) {
				errors.put(
						fieldOf(ex.getMessage(), "name", "sha256", "rank", "targetModules", "baseModel", "sourceUri"),
						ex.getMessage());
			}
		}
		model.addAttribute("registerErrors", errors);
		response.setStatus(HttpStatus.UNPROCESSABLE_CONTENT.value());
		return listPage(owner, model);
	}

	@GetMapping("/console/t/{tenantSlug}/adapters/{name}")
	String adapter(@AuthenticationPrincipal Caller caller, @PathVariable("tenantSlug") String tenant,
			@PathVariable String name, @RequestParam(required = false) String registered, Model model) {
		Tenant owner = this.tenants.open(caller, tenant, Scopes.ADAPTERS_READ);
		model.addAttribute("registered", registered);
		return adapterPage(owner, name, model);
	}

	@PostMapping("/console/t/{tenantSlug}/adapters/{name}/default")
	String setDefault(@AuthenticationPrincipal Caller caller, @PathVariable("tenantSlug") String tenant,
			@PathVariable String name, @RequestParam(defaultValue = "") String version, Model model,
			HttpServletResponse response) {
		Tenant owner = this.tenants.open(caller, tenant, Scopes.ADAPTERS_WRITE);
		try {
			this.adapters.setDefaultVersion(owner, name, blankToNull(version), caller.subject());
		}
		catch (NotFoundException ex) {
			throw new ConsoleNotFoundException();
		}
		catch (IllegalArgumentException ex) {
			response.setStatus(HttpStatus.UNPROCESSABLE_CONTENT.value());
			model.addAttribute("error", ex.getMessage() + ".");
			return adapterPage(owner, name, model);
		}
		return "redirect:/console/t/" + owner.getSlug() + "/adapters/" + name;
	}

	private static String size(DataSize size) {
		long bytes = size.toBytes();
		return (bytes >= 1024 * 1024) ? size.toMegabytes() + " MB" : size.toKilobytes() + " KB";
	}

	private String registered(Tenant owner, String name, AdapterVersion version) {
		return "redirect:/console/t/" + owner.getSlug() + "/adapters/" + name + "?registered=" + version.getVersion();
	}

	private String listPage(Tenant owner, Model model) {
		List<Adapter> adapters = this.adapters.list(owner);
		Map<String, List<AdapterVersion>> versions = new LinkedHashMap<>();
		for (Adapter adapter : adapters) {
			versions.put(adapter.getName(), this.adapters.versions(owner, adapter.getName()));
		}
		model.addAttribute("tenant", owner);
		model.addAttribute("adapters", adapters);
		model.addAttribute("versions", versions);
		model.addAttribute("maxUploadBytes", this.adapters.maxUploadBytes());
		if (!model.containsAttribute("registration")) {
			model.addAttribute("registration", new Registration(null, null, null, "8", null, null, null));
		}
		if (!model.containsAttribute("uploadErrors")) {
			model.addAttribute("uploadErrors", Map.of());
		}
		if (!model.containsAttribute("registerErrors")) {
			model.addAttribute("registerErrors", Map.of());
		}
		model.addAttribute("page", "adapters");
		return "console/adapters";
	}

	private String adapterPage(Tenant owner, String name, Model model) {
		Adapter adapter;
		List<AdapterVersion> versions;
		try {
			adapter = this.adapters.find(owner, name);
			versions = this.adapters.versions(owner, name);
		}
		catch (NotFoundException ex) {
			throw new ConsoleNotFoundException();
		}
		Map<String, List<AdapterPlacement>> placements = new LinkedHashMap<>();
		for (AdapterVersion version : versions) {
			placements.put(version.getVersion(),
					this.pool.placements(owner.getSlug() + "/" + name + "@" + version.getVersion()));
		}
		model.addAttribute("tenant", owner);
		model.addAttribute("adapter", adapter);
		model.addAttribute("adapterVersions", versions);
		model.addAttribute("served",
				this.adapters.resolve(owner.getId(), name).map(ResolvedAdapter::version).orElse(null));
		model.addAttribute("placements", placements);
		model.addAttribute("workers", this.pool.workers().size());
		model.addAttribute("page", "adapters");
		return "console/adapter";
	}

	/**
	 * @param message a validation message of the adapter registry
	 * @param fields the form's fields, the last one taking whatever names none of them
	 * @return the form field it is about, so the page can show it there
	 */
	private static String fieldOf(String message, String... fields) {
		String lower = message.toLowerCase(Locale.ROOT);
		Map<String, String> hints = new LinkedHashMap<>();
		hints.put("adapter names", "name");
		hints.put("sourceuri", "sourceUri");
		hints.put("sha256", "sha256");
		hints.put("adapter_config", "config");
		hints.put("target modules", "targetModules");
		hints.put("base model", "baseModel");
		hints.put("rank", "rank");
		List<String> allowed = List.of(fields);
		for (Map.Entry<String, String> hint : hints.entrySet()) {
			if (lower.contains(hint.getKey()) && allowed.contains(hint.getValue())) {
				return hint.getValue();
			}
		}
		return fields[fields.length - 1];
	}

	private static String blankToNull(String value) {
		return (value == null || value.isBlank()) ? null : value.trim();
	}

	/**
	 * The register-by-URI form, as typed.
	 *
	 * @param name the adapter's name
	 * @param sourceUri where workers fetch the PEFT directory
	 * @param sha256 the digest of {@code adapter_model.safetensors}
	 * @param rank the LoRA rank
	 * @param alpha {@code lora_alpha}, optional
	 * @param targetModules comma-separated
	 * @param baseModel the base model it was trained on
	 */
	record Registration(String name, String sourceUri, String sha256, String rank, String alpha, String targetModules,
			String baseModel) {
	}

}
