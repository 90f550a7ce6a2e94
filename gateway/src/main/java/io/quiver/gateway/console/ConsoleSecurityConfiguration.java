package io.quiver.gateway.console;

import java.time.Instant;
import java.util.UUID;

import io.quiver.gateway.auditing.GatewayAudit;
import io.quiver.gateway.security.AuthenticationFailed;
import io.quiver.gateway.security.Caller;
import io.quiver.tenancy.tenant.TenantService;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.SavedRequestAwareAuthenticationSuccessHandler;
import org.springframework.security.web.authentication.SimpleUrlAuthenticationFailureHandler;
import org.springframework.security.web.csrf.CsrfFilter;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter.ReferrerPolicy;
import org.springframework.web.multipart.MultipartResolver;

/**
 * The console's own chain, ahead of the deny-all fallback: a browser session (the only
 * stateful chain of the gateway), a sign-in form, CSRF tokens on every form, and headers
 * that keep the pages out of frames and off other origins' scripts.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ConsoleProperties.class)
class ConsoleSecurityConfiguration {

	/**
	 * Everything the pages load comes from the gateway itself: no CDN, no inline script.
	 */
	private static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; "
			+ "style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

	@Bean
	PasswordEncoder consolePasswordEncoder() {
		return PasswordEncoderFactories.createDelegatingPasswordEncoder();
	}

	@Bean
	@Order(4)
	SecurityFilterChain consoleChain(HttpSecurity http, ConsoleAccounts accounts, TenantService tenants,
			GatewayAudit audit, ApplicationEventPublisher events, ConsoleProperties properties,
			MultipartResolver multipart) throws Exception {
		SavedRequestAwareAuthenticationSuccessHandler success = new SavedRequestAwareAuthenticationSuccessHandler();
		success.setDefaultTargetUrl("/console");
		success.setAlwaysUseDefaultTargetUrl(false);
		SimpleUrlAuthenticationFailureHandler failure = new SimpleUrlAuthenticationFailureHandler(
				"/console/sign-in?error");
		return http.securityMatcher("/console/**")
			.authenticationProvider(new ConsoleAuthenticationProvider(accounts, tenants))
			.authorizeHttpRequests((authorize) -> authorize.requestMatchers("/console/assets/**", "/console/sign-in")
				.permitAll()
				.anyRequest()
				.authenticated())
			.formLogin((form) -> form.loginPage("/console/sign-in")
				.loginProcessingUrl("/console/sign-in")
				.successHandler((request, response, authentication) -> {
					// The idle timeout applies to signed-in sessions; the container
					// default
					// covers the short-lived anonymous one that carries the sign-in form.
					request.getSession().setMaxInactiveInterval((int) properties.idleTimeout().toSeconds());
					Caller caller = (Caller) authentication.getPrincipal();
					if (authentication.getDetails() instanceof UUID accountId) {
						accounts.markSignedIn(accountId, Instant.now());
					}
					audit.consoleSignedIn(request, caller);
					success.onAuthenticationSuccess(request, response, authentication);
				})
				.failureHandler((request, response, exception) -> {
					events.publishEvent(new AuthenticationFailed("password", "invalid_credential",
							request.getRemoteAddr(), request.getRequestURI()));
					failure.onAuthenticationFailure(request, response, exception);
				}))
			.logout((logout) -> logout.logoutUrl("/console/sign-out")
				.logoutSuccessUrl("/console/sign-in?signed-out")
				.deleteCookies("QUIVER_CONSOLE"))
			.sessionManagement((session) -> session.invalidSessionUrl("/console/sign-in?expired"))
			.headers((headers) -> headers.contentSecurityPolicy((csp) -> csp.policyDirectives(CONTENT_SECURITY_POLICY))
				.referrerPolicy((referrer) -> referrer.policy(ReferrerPolicy.SAME_ORIGIN)))
			.addFilterBefore(new ConsoleUploadLimitFilter(multipart), CsrfFilter.class)
			.build();
	}

}
