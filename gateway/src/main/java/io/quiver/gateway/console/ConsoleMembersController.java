package io.quiver.gateway.console;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import io.quiver.gateway.security.Caller;
import io.quiver.tenancy.member.Member;
import io.quiver.tenancy.member.MemberService;
import io.quiver.tenancy.member.Role;
import io.quiver.tenancy.member.Scopes;
import io.quiver.tenancy.tenant.Tenant;
import io.quiver.tenancy.tenant.TenantService;
import io.quiver.tenancy.web.Actor;
import io.quiver.tenancy.web.ConflictException;
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
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * A tenant's people and service accounts with their roles. Everyone of the tenant may
 * read the list; tenant admins (and platform admins) add, change and remove, through
 * {@link MemberService} like the admin API, so the same rules hold (nobody grants a role
 * with scopes they lack; platform admins exist only in the platform tenant) and every
 * change is audited the same way.
 */
@Controller
class ConsoleMembersController {

	private final ConsoleTenants tenants;

	private final MemberService members;

	private final TenantService tenantService;

	ConsoleMembersController(ConsoleTenants tenants, MemberService members, TenantService tenantService) {
		this.tenants = tenants;
		this.members = members;
		this.tenantService = tenantService;
	}

	@GetMapping("/console/t/{tenantSlug}/members")
	String list(@AuthenticationPrincipal Caller caller, @PathVariable("tenantSlug") String tenant, Model model) {
		return page(caller, this.tenants.open(caller, tenant), model);
	}

	@PostMapping("/console/t/{tenantSlug}/members")
	String add(@AuthenticationPrincipal Caller caller, @PathVariable("tenantSlug") String tenant,
			@RequestParam(defaultValue = Member.USER) String kind, @RequestParam(defaultValue = "") String subject,
			@RequestParam(defaultValue = "") String displayName, @RequestParam(defaultValue = "") String role,
			Model model, HttpServletResponse response, RedirectAttributes redirect) {
		Tenant owner = this.tenants.open(caller, tenant, Scopes.ADMIN);
		String chosenKind = Member.SERVICE_ACCOUNT.equals(kind) ? Member.SERVICE_ACCOUNT : Member.USER;
		Map<String, String> errors = new LinkedHashMap<>();
		if (subject.isBlank()) {
			errors.put("subject", Member.USER.equals(chosenKind)
					? "Enter the person's subject, as their identity provider names them." : "Enter a name.");
		}
		else if (subject.trim().length() > 256) {
			errors.put("subject", "Use at most 256 characters.");
		}
		Role granted = grantable(owner, role);
		if (granted == null) {
			errors.put("role", "Choose a role.");
		}
		if (errors.isEmpty()) {
			try {
				requireHeld(caller, granted);
				Member added = this.members.add(owner, chosenKind, subject.trim(), displayName.trim(), granted,
						caller.subject());
				redirect.addFlashAttribute("notice", "Added " + added.getDisplayName() + " as " + label(granted) + ".");
				return "redirect:/console/t/" + owner.getSlug() + "/members";
			}
			catch (ConflictException ex) {
				errors.put("subject",
						(Member.USER.equals(chosenKind) ? "This person" : "A service account of this name")
								+ " is already a member. Change their role in the list below.");
			}
			catch (ForbiddenException ex) {
				errors.put("role", ex.getBody().getDetail());
			}
			catch (IllegalArgumentException ex) {
				errors.put("role", ex.getMessage());
			}
		}
		response.setStatus(HttpStatus.UNPROCESSABLE_CONTENT.value());
		model.addAttribute("errors", errors);
		model.addAttribute("form", new MemberForm(chosenKind, subject, displayName, role));
		return page(caller, owner, model);
	}

	@PostMapping("/console/t/{tenantSlug}/members/{publicId}/role")
	String changeRole(@AuthenticationPrincipal Caller caller, @PathVariable("tenantSlug") String tenant,
			@PathVariable String publicId, @RequestParam(defaultValue = "") String role, Model model,
			HttpServletResponse response, RedirectAttributes redirect) {
		Tenant owner = this.tenants.open(caller, tenant, Scopes.ADMIN);
		Member member = find(owner, publicId);
		Role granted = grantable(owner, role);
		String error;
		if (granted == null) {
			error = "Choose a role.";
		}
		else {
			try {
				requireHeld(caller, granted);
				this.members.changeRole(owner, member.getKind(), publicId, granted, caller.subject());
				redirect.addFlashAttribute("notice",
						member.getDisplayName() + "'s role is now " + label(granted) + ".");
				return "redirect:/console/t/" + owner.getSlug() + "/members";
			}
			catch (ForbiddenException ex) {
				error = ex.getBody().getDetail();
			}
			catch (IllegalArgumentException ex) {
				error = ex.getMessage();
			}
		}
		response.setStatus(HttpStatus.UNPROCESSABLE_CONTENT.value());
		model.addAttribute("rowErrors", Map.of(publicId, error));
		return page(caller, owner, model);
	}

	@PostMapping("/console/t/{tenantSlug}/members/{publicId}/remove")
	String remove(@AuthenticationPrincipal Caller caller, @PathVariable("tenantSlug") String tenant,
			@PathVariable String publicId, RedirectAttributes redirect) {
		Tenant owner = this.tenants.open(caller, tenant, Scopes.ADMIN);
		Member member = find(owner, publicId);
		this.members.remove(owner, member.getKind(), publicId, caller.subject());
		redirect.addFlashAttribute("notice", member.getDisplayName() + " is no longer a member of this tenant"
				+ (Member.SERVICE_ACCOUNT.equals(member.getKind()) ? "; its API keys are revoked." : "."));
		return "redirect:/console/t/" + owner.getSlug() + "/members";
	}

	private String page(Caller caller, Tenant owner, Model model) {
		model.addAttribute("tenant", owner);
		model.addAttribute("people", this.members.list(owner, Member.USER));
		model.addAttribute("serviceAccounts", this.members.list(owner, Member.SERVICE_ACCOUNT));
		model.addAttribute("roles", roles(owner));
		model.addAttribute("roleLabels", Arrays.stream(Role.values())
			.collect(Collectors.toMap((role) -> role, ConsoleMembersController::label)));
		model.addAttribute("canChange", caller.hasScope(Scopes.ADMIN));
		model.addAttribute("page", "members");
		if (!model.containsAttribute("form")) {
			model.addAttribute("form", new MemberForm(Member.USER, "", "", Role.MEMBER.id()));
		}
		if (!model.containsAttribute("errors")) {
			model.addAttribute("errors", Map.of());
		}
		if (!model.containsAttribute("rowErrors")) {
			model.addAttribute("rowErrors", Map.of());
		}
		return "console/members";
	}

	private Member find(Tenant owner, String publicId) {
		String kind = publicId.startsWith("sa_") ? Member.SERVICE_ACCOUNT : Member.USER;
		try {
			return this.members.find(owner, kind, publicId);
		}
		catch (NotFoundException ex) {
			throw new ConsoleNotFoundException();
		}
	}

	/**
	 * The caller grants no scope they lack, checked as the admin API checks it; console
	 * accounts' scopes are stated without implications, so those are added first.
	 */
	private static void requireHeld(Caller caller, Role role) {
		new Actor(caller.subject(), Scopes.expand(caller.scopes())).requireAll(role.scopes());
	}

	private Role grantable(Tenant owner, String id) {
		return roles(owner).stream()
			.filter((option) -> option.id().equals(id))
			.findFirst()
			.map(RoleOption::role)
			.orElse(null);
	}

	private List<RoleOption> roles(Tenant owner) {
		boolean platform = this.tenantService.isPlatformTenant(owner.getSlug());
		return Arrays.stream(Role.values())
			.filter((role) -> platform || role != Role.PLATFORM_ADMIN)
			.map((role) -> new RoleOption(role, role.id(), label(role)))
			.toList();
	}

	static String label(Role role) {
		return switch (role) {
			case PLATFORM_ADMIN -> "Platform admin";
			case TENANT_ADMIN -> "Tenant admin";
			case MEMBER -> "Member";
			case AUDITOR -> "Auditor";
		};
	}

	/**
	 * A role the form offers.
	 *
	 * @param role the role
	 * @param id its stored name
	 * @param label its name for people
	 */
	record RoleOption(Role role, String id, String label) {
	}

	/**
	 * The add form as it was sent, to show again with its errors.
	 *
	 * @param kind {@code user} or {@code service_account}
	 * @param subject the subject or name
	 * @param displayName the name people see
	 * @param role the chosen role's id
	 */
	record MemberForm(String kind, String subject, String displayName, String role) {
	}

}
