package io.quiver.gateway.security;

import java.io.IOException;
import java.util.Optional;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Reads {@code Authorization: Bearer <credential>} and authenticates it. A request with
 * no credential passes on unauthenticated (the chain's entry point then answers 401); a
 * request with a bad one is answered 401 here, in the chain's dialect, without saying
 * why.
 */
final class BearerAuthenticationFilter extends OncePerRequestFilter {

	private final ApiKeyAuthenticator apiKeys;

	private final AuthenticationEntryPoint entryPoint;

	BearerAuthenticationFilter(ApiKeyAuthenticator apiKeys, AuthenticationEntryPoint entryPoint) {
		this.apiKeys = apiKeys;
		this.entryPoint = entryPoint;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		String header = request.getHeader("Authorization");
		if (header == null || header.isBlank()) {
			chain.doFilter(request, response);
			return;
		}
		Optional<Caller> caller = Optional.empty();
		if (header.regionMatches(true, 0, "Bearer ", 0, 7)) {
			caller = this.apiKeys.authenticate(header.substring(7).trim());
		}
		if (caller.isEmpty()) {
			SecurityContextHolder.clearContext();
			this.entryPoint.commence(request, response, new BadCredentialsException("Invalid credential"));
			return;
		}
		var context = SecurityContextHolder.createEmptyContext();
		context.setAuthentication(new CallerAuthentication(caller.get()));
		SecurityContextHolder.setContext(context);
		try {
			chain.doFilter(request, response);
		}
		finally {
			SecurityContextHolder.clearContext();
		}
	}

}
