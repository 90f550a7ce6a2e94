package io.quiver.gateway.console;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import io.quiver.gateway.security.Caller;
import io.quiver.tenancy.apikey.ApiKey;
import io.quiver.tenancy.apikey.ApiKeyService;
import io.quiver.tenancy.limit.LimitService;
import io.quiver.tenancy.limit.Limits;
import io.quiver.tenancy.member.Scopes;
import io.quiver.tenancy.tenant.Tenant;
import io.quiver.tenancy.web.NotFoundException;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * Limits and quotas: the tenant's own (set by the platform, as through the admin API) and
 * each key's (set by the tenant's admins). Values go through {@link LimitService}, so
 * they are validated and audited as through the admin API; an empty field means
 * unlimited.
 */
@Controller
class ConsoleLimitsController {

	private final ConsoleTenants tenants;

	private final LimitService limits;

	private final ApiKeyService keys;

	ConsoleLimitsController(ConsoleTenants tenants, LimitService limits, ApiKeyService keys) {
		this.tenants = tenants;
		this.limits = limits;
		this.keys = keys;
	}

	@GetMapping("/console/t/{tenantSlug}/limits")
	String page(@AuthenticationPrincipal Caller caller, @PathVariable("tenantSlug") String tenant,
			@RequestParam(required = false) String saved, Model model) {
		Tenant owner = this.tenants.open(caller, tenant, Scopes.ADMIN);
		model.addAttribute("saved", saved);
		return page(owner, caller, model);
	}

	@PostMapping("/console/t/{tenantSlug}/limits")
	String setForTenant(@AuthenticationPrincipal Caller caller, @PathVariable("tenantSlug") String tenant,
			@ModelAttribute LimitsForm form, Model model, HttpServletResponse response) {
		// A tenant's own quota is the platform's to set; its admins set their keys'.
		Tenant owner = this.tenants.open(caller, tenant, Scopes.PLATFORM_ADMIN);
		Map<String, String> errors = new LinkedHashMap<>();
		Limits parsed = form.parse(errors);
		if (parsed != null) {
			this.limits.setForTenant(owner, parsed, caller.subject());
			return "redirect:/console/t/" + owner.getSlug() + "/limits?saved=tenant";
		}
		response.setStatus(HttpStatus.UNPROCESSABLE_CONTENT.value());
		model.addAttribute("tenantForm", form);
		model.addAttribute("tenantErrors", errors);
		return page(owner, caller, model);
	}

	@GetMapping("/console/t/{tenantSlug}/limits/keys/{publicId}")
	String keyPage(@AuthenticationPrincipal Caller caller, @PathVariable("tenantSlug") String tenant,
			@PathVariable String publicId, @RequestParam(required = false) String saved, Model model) {
		Tenant owner = this.tenants.open(caller, tenant, Scopes.ADMIN);
		ApiKey key = find(owner, publicId);
		model.addAttribute("saved", saved);
		return keyPage(owner, key, LimitsForm.of(this.limits.ofKey(owner.getId(), key.getId())), Map.of(), model);
	}

	@PostMapping("/console/t/{tenantSlug}/limits/keys/{publicId}")
	String setForKey(@AuthenticationPrincipal Caller caller, @PathVariable("tenantSlug") String tenant,
			@PathVariable String publicId, @ModelAttribute LimitsForm form, Model model, HttpServletResponse response) {
		Tenant owner = this.tenants.open(caller, tenant, Scopes.ADMIN);
		ApiKey key = find(owner, publicId);
		Map<String, String> errors = new LinkedHashMap<>();
		Limits parsed = form.parse(errors);
		if (parsed != null) {
			this.limits.setForKey(owner, publicId, parsed, caller.subject());
			return "redirect:/console/t/" + owner.getSlug() + "/limits/keys/" + publicId + "?saved=key";
		}
		response.setStatus(HttpStatus.UNPROCESSABLE_CONTENT.value());
		return keyPage(owner, key, form, errors, model);
	}

	private String page(Tenant owner, Caller caller, Model model) {
		Map<String, Limits> keyLimits = new LinkedHashMap<>();
		List<ApiKey> keys = this.keys.list(owner.getId())
			.stream()
			.filter((key) -> key.isUsableAt(Instant.now()))
			.toList();
		for (ApiKey key : keys) {
			keyLimits.put(key.getPublicId(), this.limits.ofKey(owner.getId(), key.getId()));
		}
		model.addAttribute("tenant", owner);
		if (!model.containsAttribute("tenantForm")) {
			model.addAttribute("tenantForm", LimitsForm.of(this.limits.ofTenant(owner.getId())));
			model.addAttribute("tenantErrors", Map.of());
		}
		model.addAttribute("tenantEditable", caller.hasScope(Scopes.PLATFORM_ADMIN));
		model.addAttribute("keys", keys);
		model.addAttribute("keyLimits", keyLimits);
		model.addAttribute("page", "limits");
		return "console/limits";
	}

	private String keyPage(Tenant owner, ApiKey key, LimitsForm form, Map<String, String> errors, Model model) {
		model.addAttribute("tenant", owner);
		model.addAttribute("key", key);
		model.addAttribute("form", form);
		model.addAttribute("errors", errors);
		model.addAttribute("tenantLimits", this.limits.ofTenant(owner.getId()));
		model.addAttribute("page", "limits");
		return "console/limits-key";
	}

	private ApiKey find(Tenant owner, String publicId) {
		try {
			return this.keys.find(owner.getId(), publicId);
		}
		catch (NotFoundException ex) {
			throw new ConsoleNotFoundException();
		}
	}

	/**
	 * The limits form as typed: every field text, so a mistyped value comes back to its
	 * field with a message rather than failing the whole request.
	 *
	 * @param requestsPerMinute requests per minute, empty for unlimited
	 * @param tokensPerMinute tokens per minute, empty for unlimited
	 * @param concurrentRequests requests in flight at once, empty for unlimited
	 * @param tokenBudget tokens per budget period, empty for unlimited
	 * @param budgetPeriod {@code day} or {@code month}
	 */
	record LimitsForm(String requestsPerMinute, String tokensPerMinute, String concurrentRequests, String tokenBudget,
			String budgetPeriod) {

		static LimitsForm of(Limits limits) {
			return new LimitsForm(text(limits.requestsPerMinute()), text(limits.tokensPerMinute()),
					text(limits.concurrentRequests()), text(limits.tokenBudget()),
					(limits.budgetPeriod() != null) ? limits.budgetPeriod() : "month");
		}

		/**
		 * @param field a field's name
		 * @return what it holds, for the template
		 */
		public String value(String field) {
			return switch (field) {
				case "requestsPerMinute" -> this.requestsPerMinute;
				case "tokensPerMinute" -> this.tokensPerMinute;
				case "concurrentRequests" -> this.concurrentRequests;
				case "tokenBudget" -> this.tokenBudget;
				default -> this.budgetPeriod;
			};
		}

		/**
		 * @param errors where each field's problem goes, by field name
		 * @return the limits, or {@code null} when a field is wrong
		 */
		Limits parse(Map<String, String> errors) {
			Integer rpm = number("requestsPerMinute", this.requestsPerMinute, Integer::valueOf, errors);
			Long tpm = number("tokensPerMinute", this.tokensPerMinute, Long::valueOf, errors);
			Integer concurrent = number("concurrentRequests", this.concurrentRequests, Integer::valueOf, errors);
			Long budget = number("tokenBudget", this.tokenBudget, Long::valueOf, errors);
			String period = (this.budgetPeriod == null || this.budgetPeriod.isBlank()) ? null : this.budgetPeriod;
			if (period != null && !period.equals("day") && !period.equals("month")) {
				errors.put("budgetPeriod", "The budget period is a day or a month.");
			}
			if (!errors.isEmpty()) {
				return null;
			}
			try {
				return new Limits(rpm, tpm, concurrent, budget, (budget != null) ? period : null);
			}
			catch (IllegalArgumentException ex) {
				errors.put("budgetPeriod", ex.getMessage());
				return null;
			}
		}

		private static <T extends Number> T number(String field, String value, Function<String, T> parser,
				Map<String, String> errors) {
			if (value == null || value.isBlank()) {
				return null;
			}
			try {
				T parsed = parser.apply(value.trim());
				if (parsed.longValue() < 0) {
					errors.put(field, "Enter 0 or more, or leave empty for no limit.");
					return null;
				}
				return parsed;
			}
			catch (NumberFormatException ex) {
				errors.put(field, "Enter a whole number, or leave empty for no limit.");
				return null;
			}
		}

		private static String text(Number value) {
			return (value != null) ? value.toString() : "";
		}

	}

}
