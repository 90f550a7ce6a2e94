package io.quiver.gateway.security;

import java.io.IOException;

import io.quiver.gateway.auditing.GatewayAudit;
import io.quiver.gateway.openai.OpenAiErrors;
import io.quiver.gateway.web.ErrorDialect;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.AuthorizationDeniedException;
import org.springframework.security.authorization.AuthorizationResult;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.access.intercept.AuthorizationFilter;
import org.springframework.security.web.access.intercept.RequestAuthorizationContext;

/**
 * The filter chains, most specific first. Each speaks its paths' error dialect, and
 * anything not explicitly opened is refused (fail closed).
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

	/** The OpenAI API: API keys with the {@code inference} scope. */
	@Bean
	@Order(1)
	SecurityFilterChain openAiChain(HttpSecurity http, ApiKeyAuthenticator apiKeys, GatewayAudit audit)
			throws Exception {
		AuthenticationEntryPoint unauthorized = audited(audit, (request, response, ex) -> {
			boolean missing = request.getHeader("Authorization") == null;
			OpenAiErrors.write(response, 401, "invalid_request_error", "invalid_api_key", null,
					missing ? "You didn't provide an API key. Send it as 'Authorization: Bearer qvr_...'."
							: "Incorrect API key provided.");
		});
		AccessDeniedHandler forbidden = (request, response, ex) -> OpenAiErrors.write(response, 403, "permission_error",
				"insufficient_scope", null, "This API key lacks the 'inference' scope.");
		return stateless(http.securityMatcher("/v1/**"))
			.addFilterBefore(new BearerAuthenticationFilter(apiKeys, unauthorized), AuthorizationFilter.class)
			.authorizeHttpRequests((authorize) -> authorize.anyRequest().hasAuthority("SCOPE_inference"))
			.exceptionHandling(
					(exceptions) -> exceptions.authenticationEntryPoint(unauthorized).accessDeniedHandler(forbidden))
			.build();
	}

	/**
	 * The admin API: a caller acts only inside its own tenant; another tenant's paths
	 * look exactly like missing ones (404), so nothing reveals that they exist.
	 */
	@Bean
	@Order(2)
	SecurityFilterChain adminChain(HttpSecurity http, ApiKeyAuthenticator apiKeys, GatewayAudit audit)
			throws Exception {
		AuthenticationEntryPoint unauthorized = audited(audit, (request, response, ex) -> ErrorDialect
			.write(request.getRequestURI(), response, HttpStatus.UNAUTHORIZED, "Authentication required."));
		AccessDeniedHandler denied = (request, response, ex) -> {
			boolean foreign = ex instanceof AuthorizationDeniedException refusal
					&& refusal.getAuthorizationResult() instanceof ForeignTenant;
			ErrorDialect.write(request.getRequestURI(), response, foreign ? HttpStatus.NOT_FOUND : HttpStatus.FORBIDDEN,
					foreign ? "Not Found" : "The caller lacks the scope this operation needs.");
		};
		return stateless(http.securityMatcher("/admin/**"))
			.addFilterBefore(new BearerAuthenticationFilter(apiKeys, unauthorized), AuthorizationFilter.class)
			.authorizeHttpRequests((authorize) -> authorize.requestMatchers("/admin/v1/tenants/{tenant}/audit/**")
				.access((authentication, context) -> ownTenantWith(authentication.get(), context, "audit:read"))
				.requestMatchers("/admin/v1/tenants/{tenant}", "/admin/v1/tenants/{tenant}/**")
				.access((authentication, context) -> ownTenantWith(authentication.get(), context, "admin"))
				.requestMatchers("/admin/v1/audit/public-keys")
				.authenticated()
				.anyRequest()
				.denyAll())
			.exceptionHandling(
					(exceptions) -> exceptions.authenticationEntryPoint(unauthorized).accessDeniedHandler(denied))
			.build();
	}

	/** Health and metrics for the platform; nothing else of the actuator is exposed. */
	@Bean
	@Order(3)
	SecurityFilterChain actuatorChain(HttpSecurity http) throws Exception {
		return stateless(http.securityMatcher("/actuator/**"))
			.authorizeHttpRequests((authorize) -> authorize
				.requestMatchers("/actuator/health", "/actuator/health/**", "/actuator/prometheus", "/actuator/info")
				.permitAll()
				.anyRequest()
				.denyAll())
			.exceptionHandling((exceptions) -> exceptions.authenticationEntryPoint(this::notFound))
			.build();
	}

	/** Everything else: only the error page is open. */
	@Bean
	@Order(10)
	SecurityFilterChain fallbackChain(HttpSecurity http) throws Exception {
		return stateless(http)
			.authorizeHttpRequests(
					(authorize) -> authorize.requestMatchers("/error").permitAll().anyRequest().denyAll())
			.exceptionHandling((exceptions) -> exceptions.authenticationEntryPoint(this::notFound)
				.accessDeniedHandler((request, response, ex) -> notFound(request, response, null)))
			.build();
	}

	private void notFound(jakarta.servlet.http.HttpServletRequest request, HttpServletResponse response, Exception ex)
			throws IOException {
		ErrorDialect.write(request.getRequestURI(), response, HttpStatus.NOT_FOUND, "Not Found");
	}

	/**
	 * Every refused or missing credential is an audit event, whatever the dialect of the
	 * answer.
	 */
	private static AuthenticationEntryPoint audited(GatewayAudit audit, AuthenticationEntryPoint delegate) {
		return (request, response, ex) -> {
			String header = request.getHeader("Authorization");
			String credential = (header == null) ? "none" : header.regionMatches(true, 0, "Bearer qvr_", 0, 11)
					? "api_key" : header.regionMatches(true, 0, "Bearer eyJ", 0, 10) ? "jwt" : "other";
			audit.authenticationFailed(request, credential,
					(header == null) ? "missing_credential" : "invalid_credential");
			delegate.commence(request, response, ex);
		};
	}

	private static HttpSecurity stateless(HttpSecurity http) throws Exception {
		return http.csrf(AbstractHttpConfigurer::disable)
			.httpBasic(AbstractHttpConfigurer::disable)
			.formLogin(AbstractHttpConfigurer::disable)
			.logout(AbstractHttpConfigurer::disable)
			.requestCache(AbstractHttpConfigurer::disable)
			.sessionManagement((session) -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS));
	}

	private static AuthorizationResult ownTenantWith(Authentication authentication, RequestAuthorizationContext context,
			String scope) {
		if (!(authentication instanceof CallerAuthentication callerAuthentication)) {
			return new AuthorizationDecision(false);
		}
		Caller caller = callerAuthentication.getPrincipal();
		if (!caller.tenant().equals(context.getVariables().get("tenant"))) {
			return new ForeignTenant();
		}
		return new AuthorizationDecision(caller.hasScope(scope));
	}

	/** A refusal because the path names a tenant other than the caller's. */
	static final class ForeignTenant extends AuthorizationDecision {

		ForeignTenant() {
			super(false);
		}

	}

}
