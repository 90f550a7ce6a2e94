package io.quiver.gateway.metrics;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * Registers the request counter ahead of every other filter, security included.
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

}
