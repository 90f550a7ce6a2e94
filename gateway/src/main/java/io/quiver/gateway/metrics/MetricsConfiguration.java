package io.quiver.gateway.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.http.server.observation.DefaultServerRequestObservationConvention;
import org.springframework.http.server.observation.ServerRequestObservationConvention;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.web.filter.ServerHttpObservationFilter;

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
	 * Spring's generic {@code http.server.requests} observation, as Spring Boot registers
	 * it, for every path but {@code /v1}: those requests are measured by
	 * {@link RequestMetricsFilter} and the GenAI meters at a fraction of the cost.
	 * Skipping the filter there, rather than vetoing its observation, also saves building
	 * the observation's context on every request.
	 */
	@Bean
	FilterRegistrationBean<ServerHttpObservationFilter> webMvcObservationFilter(ObservationRegistry registry,
			ObjectProvider<ServerRequestObservationConvention> customConvention, ObservationProperties properties) {
		String name = properties.getHttp().getServer().getRequests().getName();
		ServerRequestObservationConvention convention = customConvention
			.getIfAvailable(() -> new DefaultServerRequestObservationConvention(name));
		FilterRegistrationBean<ServerHttpObservationFilter> registration = new FilterRegistrationBean<>(
				new ServerHttpObservationFilter(registry, convention) {

					@Override
					protected boolean shouldNotFilter(HttpServletRequest request) {
						return request.getRequestURI().startsWith("/v1/");
					}

				});
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 1);
		registration.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC);
		return registration;
	}

	/**
	 * Spring Security would otherwise wrap every filter of every chain in its own
	 * observation: on a gateway whose whole budget is half a millisecond, that is a
	 * measurable share for spans nobody reads. Authentication outcomes are counted by
	 * {@code quiver_gateway_requests_total{status}} and audited.
	 */
	@Bean
	SecurityObservationSettings securityObservationSettings() {
		return SecurityObservationSettings.noObservations();
	}

}
