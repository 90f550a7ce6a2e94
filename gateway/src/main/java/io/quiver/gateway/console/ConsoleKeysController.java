package io.quiver.gateway.console;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import io.quiver.gateway.security.Caller;
import io.quiver.tenancy.apikey.ApiKey;
import io.quiver.tenancy.apikey.ApiKeyService;
import io.quiver.tenancy.apikey.IssuedApiKey;
import io.quiver.tenancy.tenant.Tenant;
import io.quiver.tenancy.web.Actor;
import io.quiver.tenancy.web.ForbiddenException;
import io.quiver.tenancy.web.NotFoundException;
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
 * A tenant's API keys: list, issue and rotate (the secret is shown in that one answer and
 * never again), revoke. Every change goes through {@link ApiKeyService}, so it is audited
 * exactly as through the admin API.
 */
@Controller
class ConsoleKeysController {

	/**
	 * The scopes the form offers, in this order. What a key may carry is the admin API's
	 * rule ({@link ApiKeyService#requireGrantable}), checked again on submit.
	 */
	static final List<String> SCOPES = List.of(ApiKeyService.INFERENCE, "admin", "adapters:write", "audit:read");

	/**
	 * The overlaps the rotate form offers, in hours: none, an hour, a day, a week, 30
	 * days.
	 */
	static final List<Integer> OVERLAPS = List.of(0, 1, 24, 168, 720);

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
		String scopesError = null;
		if (chosen.isEmpty()) {
			scopesError = "Choose at least one scope.";
		}
		else {
			try {
				// The admin API's rule: nobody grants scopes they do not hold.
				this.keys.requireGrantable(owner, actor(caller), chosen);
			}
			catch (IllegalArgumentException | ForbiddenException ex) {
				scopesError = ex.getMessage().endsWith(".") ? ex.getMessage() : ex.getMessage() + ".";
			}
		}
		String error = (scopesError != null) ? "The key was not created; see the scopes below." : null;
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
			model.addAttribute("scopesError", scopesError);
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

	/**
	 * Issues a successor with the same name, scopes and allowed models, shows its secret
	 * once, and lets the old key work on for the chosen overlap.
	 */
	@PostMapping("/console/t/{tenantSlug}/keys/{publicId}/rotate")
	String rotate(@AuthenticationPrincipal Caller caller, @PathVariable("tenantSlug") String tenant,
			@PathVariable String publicId, @RequestParam(defaultValue = "24") String overlapHours, Model model,
			HttpServletResponse response) {
		Tenant owner = this.tenants.open(caller, tenant, "admin");
		ApiKey old;
		try {
			old = this.keys.find(owner.getId(), publicId);
		}
		catch (NotFoundException ex) {
			throw new ConsoleNotFoundException();
		}
		String error = null;
		try {
			Duration overlap = Duration.ofHours(Long.parseLong(overlapHours.trim()));
			// Nobody hands out, through a successor, scopes they do not hold.
			actor(caller).requireAll(old.getScopes());
			IssuedApiKey successor = this.keys.rotate(owner.getId(), publicId, overlap, caller.subject());
			model.addAttribute("issued", successor);
			model.addAttribute("rotatedFrom", this.keys.find(owner.getId(), publicId));
		}
		catch (NumberFormatException ex) {
			error = "The overlap must be a whole number of hours.";
		}
		catch (IllegalArgumentException ex) {
			error = ex.getMessage() + ".";
		}
		catch (ForbiddenException ex) {
			error = "You cannot rotate a key that holds scopes you do not hold.";
		}
		catch (NotFoundException ex) {
			error = "Only an active key that has not been rotated yet can be rotated.";
		}
		if (error != null) {
			response.setStatus(HttpStatus.UNPROCESSABLE_CONTENT.value());
			model.addAttribute("error", error);
		}
		return page(owner, model);
	}

	private static Actor actor(Caller caller) {
		return new Actor(caller.subject(), caller.scopes());
	}

	private String page(Tenant owner, Model model) {
		model.addAttribute("tenant", owner);
		model.addAttribute("keys", this.keys.list(owner.getId()));
		model.addAttribute("scopes", SCOPES);
		model.addAttribute("overlaps", OVERLAPS);
		model.addAttribute("now", Instant.now());
		model.addAttribute("page", "keys");
		if (!model.containsAttribute("chosenScopes")) {
			model.addAttribute("chosenScopes", Set.of(ApiKeyService.INFERENCE));
		}
		return "console/keys";
	}

}
