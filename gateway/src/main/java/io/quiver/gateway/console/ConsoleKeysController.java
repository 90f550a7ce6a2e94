package io.quiver.gateway.console;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import io.quiver.gateway.security.Caller;
import io.quiver.tenancy.apikey.ApiKeyService;
import io.quiver.tenancy.apikey.IssuedApiKey;
import io.quiver.tenancy.tenant.Tenant;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * A tenant's API keys: list, issue (the secret is shown in that one answer and never
 * again), revoke. Issuing and revoking go through {@link ApiKeyService}, so they are
 * audited exactly as through the admin API.
 */
@Controller
class ConsoleKeysController {

	/** The scopes a key may carry, in the order the form offers them. */
	static final List<String> SCOPES = List.of(ApiKeyService.INFERENCE, "admin", "adapters:write", "audit:read");

	private final ConsoleTenants tenants;

	private final ApiKeyService keys;

	ConsoleKeysController(ConsoleTenants tenants, ApiKeyService keys) {
		this.tenants = tenants;
		this.keys = keys;
	}

	@GetMapping("/console/t/{tenantSlug}/keys")
	String list(@AuthenticationPrincipal Caller caller, @PathVariable("tenantSlug") String tenant,
			@RequestParam(required = false) String revoked, Model model) {
		Tenant owner = this.tenants.open(caller, tenant, "admin");
		model.addAttribute("revoked", revoked);
		return page(owner, model);
	}

	@PostMapping("/console/t/{tenantSlug}/keys")
	String issue(@AuthenticationPrincipal Caller caller, @PathVariable("tenantSlug") String tenant,
			@RequestParam String name, @RequestParam(required = false) List<String> scopes,
			@RequestParam(required = false) String expiresOn, Model model, HttpServletResponse response) {
		Tenant owner = this.tenants.open(caller, tenant, "admin");
		Set<String> chosen = new LinkedHashSet<>((scopes != null) ? scopes : List.of());
		String error = null;
		if (chosen.isEmpty()) {
			error = "Choose at least one scope.";
		}
		else if (!SCOPES.containsAll(chosen)) {
			error = "Unknown scope.";
		}
		Instant expiresAt = null;
		if (error == null && expiresOn != null && !expiresOn.isBlank()) {
			try {
				// A key set to expire on a day works through that whole day (UTC).
				expiresAt = LocalDate.parse(expiresOn).plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
			}
			catch (DateTimeParseException ex) {
				error = "Expiry must be a date (YYYY-MM-DD).";
			}
		}
		if (error == null) {
			try {
				IssuedApiKey issued = this.keys.issue(owner.getId(), name.trim(), chosen, expiresAt, caller.subject());
				model.addAttribute("issued", issued);
			}
			catch (IllegalArgumentException ex) {
				// The service's messages are written for people: name length, past
				// expiry.
				error = ex.getMessage();
			}
		}
		if (error != null) {
			response.setStatus(HttpStatus.UNPROCESSABLE_CONTENT.value());
			model.addAttribute("error", error);
			model.addAttribute("name", name);
			model.addAttribute("chosenScopes", chosen);
			model.addAttribute("expiresOn", expiresOn);
		}
		return page(owner, model);
	}

	@PostMapping("/console/t/{tenantSlug}/keys/{publicId}/revoke")
	String revoke(@AuthenticationPrincipal Caller caller, @PathVariable("tenantSlug") String tenant,
			@PathVariable String publicId) {
		Tenant owner = this.tenants.open(caller, tenant, "admin");
		if (!this.keys.revoke(owner.getId(), publicId, caller.subject())) {
			throw new ConsoleNotFoundException();
		}
		return "redirect:/console/t/" + owner.getSlug() + "/keys?revoked=" + publicId;
	}

	private String page(Tenant owner, Model model) {
		model.addAttribute("tenant", owner);
		model.addAttribute("keys", this.keys.list(owner.getId()));
		model.addAttribute("scopes", SCOPES);
		model.addAttribute("now", Instant.now());
		model.addAttribute("page", "keys");
		if (!model.containsAttribute("chosenScopes")) {
			model.addAttribute("chosenScopes", Set.of(ApiKeyService.INFERENCE));
		}
		return "console/keys";
	}

}
