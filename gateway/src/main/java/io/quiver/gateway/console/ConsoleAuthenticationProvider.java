package io.quiver.gateway.console;

import java.util.Locale;
import java.util.Optional;

import io.quiver.gateway.security.Caller;
import io.quiver.tenancy.tenant.Tenant;
import io.quiver.tenancy.tenant.TenantService;

import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * Signs in local console accounts. The signed-in principal is a {@link Caller} like any
 * other, so the audit trail names console users the way it names every other actor. Every
 * failure reads the same: unknown user, wrong password, suspended tenant.
 */
final class ConsoleAuthenticationProvider implements AuthenticationProvider {

	private final ConsoleAccounts accounts;

	private final TenantService tenants;

	ConsoleAuthenticationProvider(ConsoleAccounts accounts, TenantService tenants) {
		this.accounts = accounts;
		this.tenants = tenants;
	}

	@Override
	public Authentication authenticate(Authentication authentication) {
		String username = String.valueOf(authentication.getName()).trim().toLowerCase(Locale.ROOT);
		String password = String.valueOf(authentication.getCredentials());
		Optional<ConsoleAccount> account = this.accounts.findByUsername(username);
		if (account.isEmpty()) {
			this.accounts.matchNothing(password);
			throw refused();
		}
		if (!this.accounts.passwordMatches(account.get(), password)) {
			throw refused();
		}
		Tenant tenant = this.tenants.findById(account.get().tenantId())
			.filter(Tenant::isActive)
			.orElseThrow(ConsoleAuthenticationProvider::refused);
		ConsoleRole role = account.get().role();
		Caller caller = new Caller(tenant.getId(), tenant.getSlug(), username, null, "password", role.scopes());
		UsernamePasswordAuthenticationToken result = UsernamePasswordAuthenticationToken.authenticated(caller, null,
				role.scopes().stream().map((scope) -> new SimpleGrantedAuthority("SCOPE_" + scope)).toList());
		result.setDetails(account.get().id());
		return result;
	}

	@Override
	public boolean supports(Class<?> authentication) {
		return UsernamePasswordAuthenticationToken.class.isAssignableFrom(authentication);
	}

	private static BadCredentialsException refused() {
		return new BadCredentialsException("Wrong username or password.");
	}

}
