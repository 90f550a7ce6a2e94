package io.quiver.gateway.console;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import io.quiver.gateway.security.Caller;
import io.quiver.tenancy.identityprovider.IdentityProvider;
import io.quiver.tenancy.identityprovider.IdentityProviderService;
import io.quiver.tenancy.identityprovider.IdentityProviderSettings;
import io.quiver.tenancy.member.Scopes;
import io.quiver.tenancy.tenant.Tenant;
import io.quiver.tenancy.web.ConflictException;
import io.quiver.tenancy.web.NotFoundException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/**
 * A tenant's identity providers, for its admins: what makes its people's tokens valid
 * (issuer, JWKS URI, audience, algorithms), how their claims map onto roles, and the
 * client the console signs them in with. Changes go through
 * {@link IdentityProviderService} like the admin API's, so the same validation holds and
 * they are audited the same way; its problems are shown next to the fields they concern.
 */
@Controller
class ConsoleIdentityProvidersController {

	/** The form's fields, in order: the names of {@link IdentityProviderSettings}. */
	static final List<String> FIELDS = List.of("issuer", "jwksUri", "audience", "algorithms", "subjectClaim",
			"rolesClaim", "roleMappings", "consoleClientId", "consoleClientSecretRef");

	private final ConsoleTenants tenants;

	private final IdentityProviderService providers;

	ConsoleIdentityProvidersController(ConsoleTenants tenants, IdentityProviderService providers) {
		this.tenants = tenants;
		this.providers = providers;
	}

	@GetMapping("/console/t/{tenantSlug}/identity-providers")
	String list(@AuthenticationPrincipal Caller caller, @PathVariable("tenantSlug") String tenant,
			@RequestParam(required = false) String edit, HttpServletRequest request, Model model) {
		Tenant owner = this.tenants.open(caller, tenant, Scopes.ADMIN);
		if (edit != null) {
			model.addAttribute("editing", edit);
			model.addAttribute("values", values(find(owner, edit).settings()));
		}
		return page(owner, request, model);
	}

	@PostMapping("/console/t/{tenantSlug}/identity-providers")
	String register(@AuthenticationPrincipal Caller caller, @PathVariable("tenantSlug") String tenant,
			@RequestParam Map<String, String> form, HttpServletRequest request, HttpServletResponse response,
			Model model, RedirectAttributes redirect) {
		Tenant owner = this.tenants.open(caller, tenant, Scopes.ADMIN);
		return save(owner, null, form, caller, request, response, model, redirect);
	}

	@PostMapping("/console/t/{tenantSlug}/identity-providers/{publicId}")
	String change(@AuthenticationPrincipal Caller caller, @PathVariable("tenantSlug") String tenant,
			@PathVariable String publicId, @RequestParam Map<String, String> form, HttpServletRequest request,
			HttpServletResponse response, Model model, RedirectAttributes redirect) {
		Tenant owner = this.tenants.open(caller, tenant, Scopes.ADMIN);
		find(owner, publicId);
		return save(owner, publicId, form, caller, request, response, model, redirect);
	}

	@PostMapping("/console/t/{tenantSlug}/identity-providers/{publicId}/remove")
	String remove(@AuthenticationPrincipal Caller caller, @PathVariable("tenantSlug") String tenant,
			@PathVariable String publicId, RedirectAttributes redirect) {
		Tenant owner = this.tenants.open(caller, tenant, Scopes.ADMIN);
		IdentityProvider provider = find(owner, publicId);
		this.providers.remove(owner, publicId, caller.subject());
		redirect.addFlashAttribute("notice", "Removed " + provider.getIssuer()
				+ ". Its tokens no longer work here, and its people can no longer sign in to the console with it.");
		return "redirect:/console/t/" + owner.getSlug() + "/identity-providers";
	}

	private String save(Tenant owner, String publicId, Map<String, String> form, Caller caller,
			HttpServletRequest request, HttpServletResponse response, Model model, RedirectAttributes redirect) {
		Map<String, String> values = new LinkedHashMap<>();
		FIELDS.forEach((field) -> values.put(field, form.getOrDefault(field, "").strip()));
		Map<String, String> errors = new LinkedHashMap<>();
		Map<String, String> mappings = roleMappings(values.get("roleMappings"), errors);
		IdentityProviderSettings settings = new IdentityProviderSettings(values.get("issuer"), values.get("jwksUri"),
				values.get("audience"), algorithms(values.get("algorithms")), values.get("subjectClaim"),
				values.get("rolesClaim"), mappings, values.get("consoleClientId"),
				values.get("consoleClientSecretRef"));
		settings.problems().forEach(errors::putIfAbsent);
		if (errors.isEmpty()) {
			try {
				IdentityProvider saved = (publicId != null)
						? this.providers.change(owner, publicId, settings, caller.subject())
						: this.providers.register(owner, settings, caller.subject());
				redirect.addFlashAttribute("notice",
						((publicId != null) ? "Saved " : "Registered ") + saved.getIssuer() + ".");
				return "redirect:/console/t/" + owner.getSlug() + "/identity-providers";
			}
			catch (ConflictException ex) {
				errors.put("issuer", "This issuer is already registered, here or for another tenant: an issuer can"
						+ " belong to one tenant only.");
			}
			catch (IllegalArgumentException ex) {
				errors.put("issuer", ex.getMessage());
			}
		}
		response.setStatus(HttpStatus.UNPROCESSABLE_CONTENT.value());
		model.addAttribute("editing", publicId);
		model.addAttribute("values", values);
		model.addAttribute("errors", errors);
		return page(owner, request, model);
	}

	private String page(Tenant owner, HttpServletRequest request, Model model) {
		model.addAttribute("tenant", owner);
		model.addAttribute("providers", this.providers.list(owner));
		model.addAttribute("callbackUrl",
				ServletUriComponentsBuilder.fromContextPath(request)
					.path(ConsoleOidcCallbackFilter.PATH)
					.build()
					.toUriString());
		model.addAttribute("page", "identity-providers");
		if (!model.containsAttribute("values")) {
			model.addAttribute("values",
					values(new IdentityProviderSettings(null, null, null, null, null, null, null, null, null)));
		}
		if (!model.containsAttribute("errors")) {
			model.addAttribute("errors", Map.of());
		}
		return "console/identity-providers";
	}

	private IdentityProvider find(Tenant owner, String publicId) {
		try {
			return this.providers.find(owner, publicId);
		}
		catch (NotFoundException ex) {
			throw new ConsoleNotFoundException();
		}
	}

	/**
	 * @param settings what is registered
	 * @return the form's values for it
	 */
	private static Map<String, String> values(IdentityProviderSettings settings) {
		Map<String, String> values = new LinkedHashMap<>();
		values.put("issuer", orEmpty(settings.issuer()));
		values.put("jwksUri", orEmpty(settings.jwksUri()));
		values.put("audience", orEmpty(settings.audience()));
		values.put("algorithms", String.join(", ", settings.algorithms()));
		values.put("subjectClaim", settings.subjectClaim());
		values.put("rolesClaim", settings.rolesClaim());
		values.put("roleMappings", mappingLines(settings.roleMappings()));
		values.put("consoleClientId", orEmpty(settings.consoleClientId()));
		values.put("consoleClientSecretRef", orEmpty(settings.consoleClientSecretRef()));
		return values;
	}

	/**
	 * @param mappings claim value → role
	 * @return one {@code value = role} line each, sorted
	 */
	static String mappingLines(Map<String, String> mappings) {
		return new TreeMap<>(mappings).entrySet()
			.stream()
			.map((entry) -> entry.getKey() + " = " + entry.getValue())
			.collect(Collectors.joining("\n"));
	}

	private static List<String> algorithms(String text) {
		List<String> algorithms = new ArrayList<>();
		for (String algorithm : text.split("[,\\s]+")) {
			if (!algorithm.isBlank()) {
				algorithms.add(algorithm);
			}
		}
		return algorithms;
	}

	private static Map<String, String> roleMappings(String text, Map<String, String> errors) {
		Map<String, String> mappings = new LinkedHashMap<>();
		String[] lines = text.split("\\R");
		for (int i = 0; i < lines.length; i++) {
			String line = lines[i].strip();
			if (line.isEmpty()) {
				continue;
			}
			int equals = line.lastIndexOf('=');
			if (equals <= 0 || equals == line.length() - 1) {
				errors.putIfAbsent("roleMappings", "Line " + (i + 1)
						+ ": write each mapping as 'claim value = role', e.g. 'quiver-admins = tenant_admin'.");
				continue;
			}
			mappings.put(line.substring(0, equals).strip(), line.substring(equals + 1).strip());
		}
		return mappings;
	}

	private static String orEmpty(String value) {
		return (value != null) ? value : "";
	}

}
