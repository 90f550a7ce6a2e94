package io.quiver.gateway.security;

import java.io.IOException;
import java.util.Optional;

import io.quiver.tenancy.apikey.ApiKeySecret;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Reads {@code Authorization: Bearer <credential>} and authenticates it: {@code qvr_...}
 * as an API key, {@code eyJ...} as a JWT of the tenant's identity provider. A request
 * with no credential passes on unauthenticated (the chain's entry point then answers
 * 401); a request with a bad one is answered 401 here, in the chain's dialect, without
 * saying why. A source that keeps failing is refused with 429 before its credential is
 * even looked at.
 */
final class BearerAuthenticationFilter extends OncePerRequestFilter {

	private final ApiKeyAuthenticator apiKeys;

	private final JwtAuthenticator jwts;

	private final AuthenticationFailureThrottle throttle;

	private final AuthenticationEntryPoint entryPoint;

	private final Refusal refusal;

	BearerAuthenticationFilter(ApiKeyAuthenticator apiKeys, JwtAuthenticator jwts,
			AuthenticationFailureThrottle throttle, AuthenticationEntryPoint entryPoint, Refusal refusal) {
		this.apiKeys = apiKeys;
		this.jwts = jwts;
		this.throttle = throttle;
		this.entryPoint = entryPoint;
		this.refusal = refusal;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		String header = request.getHeader("Authorization");
		if (header == null || header.isBlank()) {
			chain.doFilter(request, response);
			return;
		}
		String source = request.getRemoteAddr();
		long wait = this.throttle.refusedForSeconds(source);
		if (wait > 0) {
			response.setHeader("Retry-After", Long.toString(wait));
			this.refusal.tooManyFailures(request, response);
			return;
		}
		Optional<Caller> caller = Optional.empty();
		if (header.regionMatches(true, 0, "Bearer ", 0, 7)) {
			String credential = header.substring(7).trim();
			if (credential.startsWith(ApiKeySecret.PREFIX)) {
				caller = this.apiKeys.authenticate(credential);
			}
			else if (credential.startsWith("eyJ")) {
				caller = this.jwts.authenticate(credential);
			}
		}
		if (caller.isEmpty()) {
			this.throttle.recordFailure(source);
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

	/** How a chain answers a source that failed too often, in its dialect. */
	@FunctionalInterface
	interface Refusal {

		void tooManyFailures(HttpServletRequest request, HttpServletResponse response) throws IOException;

	}

}
