package io.quiver.tenancy.member;

import java.time.Instant;
import java.util.List;

import io.quiver.tenancy.tenant.Tenant;
import io.quiver.tenancy.web.Actor;
import io.quiver.tenancy.web.TenantPaths;

import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * People ({@code /members}) and service accounts ({@code /service-accounts}) of a tenant.
 */
@RestController
class MembersController {

	private final MemberService members;

	private final TenantPaths tenants;

	MembersController(MemberService members, TenantPaths tenants) {
		this.members = members;
		this.tenants = tenants;
	}

	@GetMapping("/admin/v1/tenants/{tenant}/members")
	List<MemberView> listUsers(@PathVariable String tenant) {
		return list(tenant, Member.USER);
	}

	@PostMapping("/admin/v1/tenants/{tenant}/members")
	@ResponseStatus(HttpStatus.CREATED)
	MemberView addUser(@PathVariable String tenant, @RequestBody NewMember body, Authentication authentication) {
		return add(tenant, Member.USER, body, authentication);
	}

	@GetMapping("/admin/v1/tenants/{tenant}/members/{id}")
	MemberView getUser(@PathVariable String tenant, @PathVariable String id) {
		return MemberView.of(this.members.find(this.tenants.require(tenant), Member.USER, id));
	}

	@PatchMapping("/admin/v1/tenants/{tenant}/members/{id}")
	MemberView changeUser(@PathVariable String tenant, @PathVariable String id, @RequestBody RoleChange body,
			Authentication authentication) {
		return change(tenant, Member.USER, id, body, authentication);
	}

	@DeleteMapping("/admin/v1/tenants/{tenant}/members/{id}")
	@ResponseStatus(HttpStatus.NO_CONTENT)
	void removeUser(@PathVariable String tenant, @PathVariable String id, Authentication authentication) {
		this.members.remove(this.tenants.require(tenant), Member.USER, id, authentication.getName());
	}

	@GetMapping("/admin/v1/tenants/{tenant}/service-accounts")
	List<MemberView> listServiceAccounts(@PathVariable String tenant) {
		return list(tenant, Member.SERVICE_ACCOUNT);
	}

	@PostMapping("/admin/v1/tenants/{tenant}/service-accounts")
	@ResponseStatus(HttpStatus.CREATED)
	MemberView addServiceAccount(@PathVariable String tenant, @RequestBody NewMember body,
			Authentication authentication) {
		return add(tenant, Member.SERVICE_ACCOUNT, body, authentication);
	}

	@GetMapping("/admin/v1/tenants/{tenant}/service-accounts/{id}")
	MemberView getServiceAccount(@PathVariable String tenant, @PathVariable String id) {
		return MemberView.of(this.members.find(this.tenants.require(tenant), Member.SERVICE_ACCOUNT, id));
	}

	@PatchMapping("/admin/v1/tenants/{tenant}/service-accounts/{id}")
	MemberView changeServiceAccount(@PathVariable String tenant, @PathVariable String id, @RequestBody RoleChange body,
			Authentication authentication) {
		return change(tenant, Member.SERVICE_ACCOUNT, id, body, authentication);
	}

	@DeleteMapping("/admin/v1/tenants/{tenant}/service-accounts/{id}")
	@ResponseStatus(HttpStatus.NO_CONTENT)
	void removeServiceAccount(@PathVariable String tenant, @PathVariable String id, Authentication authentication) {
		this.members.remove(this.tenants.require(tenant), Member.SERVICE_ACCOUNT, id, authentication.getName());
	}

	private List<MemberView> list(String tenant, String kind) {
		return this.members.list(this.tenants.require(tenant), kind).stream().map(MemberView::of).toList();
	}

	private MemberView add(String tenant, String kind, NewMember body, Authentication authentication) {
		Tenant owner = this.tenants.require(tenant);
		Role role = Role.of(body.role());
		Actor actor = Actor.of(authentication);
		actor.requireAll(role.scopes());
		return MemberView.of(this.members.add(owner, kind, body.subject(), body.displayName(), role, actor.name()));
	}

	private MemberView change(String tenant, String kind, String id, RoleChange body, Authentication authentication) {
		Tenant owner = this.tenants.require(tenant);
		Role role = Role.of(body.role());
		Actor actor = Actor.of(authentication);
		actor.requireAll(role.scopes());
		return MemberView.of(this.members.changeRole(owner, kind, id, role, actor.name()));
	}

	record NewMember(String subject, String displayName, String role) {
	}

	record RoleChange(String role) {
	}

	record MemberView(String id, String kind, String subject, String displayName, String role, Instant createdAt,
			String createdBy) {

		static MemberView of(Member member) {
			return new MemberView(member.getPublicId(), member.getKind(), member.getSubject(), member.getDisplayName(),
					member.getRole().id(), member.getCreatedAt(), member.getCreatedBy());
		}

	}

}
