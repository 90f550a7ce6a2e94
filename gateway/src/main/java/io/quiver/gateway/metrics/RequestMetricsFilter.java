package io.quiver.gateway.metrics;

import java.io.IOException;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Counts every {@code /v1} request as {@code quiver_gateway_requests_total{endpoint,
 * status}} once it is answered: the incoming-request rate KEDA sizes the worker pool on,
 * and errors by status. Counters are cached per (endpoint, status), so counting allocates
 * nothing.
 */
final class RequestMetricsFilter extends OncePerRequestFilter {

	private final MeterRegistry registry;

	private final ConcurrentHashMap<Integer, Counter> counters = new ConcurrentHashMap<>();

	RequestMetricsFilter(MeterRegistry registry) {
		this.registry = registry;
	}

	@Override
	protected boolean shouldNotFilter(HttpServletRequest request) {
		return !request.getRequestURI().startsWith("/v1/");
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		try {
			chain.doFilter(request, response);
		}
		finally {
			Endpoint endpoint = Endpoint.of(request.getRequestURI());
			int status = response.getStatus();
			this.counters.computeIfAbsent(endpoint.ordinal() * 1000 + status, (key) -> counter(endpoint, status))
				.increment();
		}
	}

	private Counter counter(Endpoint endpoint, int status) {
		return Counter.builder("quiver.gateway.requests")
			.description("OpenAI API requests, by endpoint and status")
			.tag("endpoint", endpoint.tag)
			.tag("status", Integer.toString(status))
			.register(this.registry);
	}

	private enum Endpoint {

		CHAT("chat_completions"), COMPLETIONS("completions"), MODELS("models"), OTHER("other");

		private final String tag;

		Endpoint(String tag) {
			this.tag = tag;
		}

		static Endpoint of(String path) {
			if (path.equals("/v1/chat/completions")) {
				return CHAT;
			}
			if (path.equals("/v1/completions")) {
				return COMPLETIONS;
			}
			if (path.startsWith("/v1/models")) {
				return MODELS;
			}
			return OTHER;
		}

	}

}
