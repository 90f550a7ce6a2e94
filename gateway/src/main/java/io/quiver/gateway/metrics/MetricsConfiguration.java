package io.quiver.gateway.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationPredicate;

import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.http.server.observation.ServerRequestObservationContext;
import org.springframework.security.config.observation.SecurityObservationSettings;

/**
 * Registers the request counter ahead of every other filter, security included, and keeps
 * observations off the hot path where they cost more than they tell.
 */
@Configuration(proxyBeanMethods = false)
class MetricsConfiguration {

	@Bean
	FilterRegistrationBean<RequestMetricsFilter> requestMetricsFilter(MeterRegistry registry) {
		FilterRegistrationBean<RequestMetricsFilter> registration = new FilterRegistrationBean<>(
				new RequestMetricsFilter(registry));
		registration.addUrlPatterns("/v1/*");
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
		return registration;
	}

	/**
	 * Spring Security would otherwise wrap every filter of every chain in its own
	 * observation: on a gateway whose whole budget is half a millisecond, that is a
	 * measurable share for spans nobody reads. Authentication outcomes are counted by
	 * {@code quiver_gateway_requests_total{status}} and audited.
	 */
	/**
	 * {@code /v1} requests are measured by {@link RequestMetricsFilter} and the GenAI
	 * meters at a fraction of the cost of Spring's generic {@code http.server.requests}
	 * observation, which stays on for every other path.
	 */
	@Bean
	ObservationPredicate noGenericObservationOfOpenAiRequests() {
		return (name, context) -> !(context instanceof ServerRequestObservationContext request
				&& request.getCarrier() != null && request.getCarrier().getRequestURI().startsWith("/v1/"));
	}

	@Bean
	SecurityObservationSettings securityObservationSettings() {
		return SecurityObservationSettings.noObservations();
	}

}
