package io.quiver.gateway.auditing;

import io.quiver.audit.AuditEvent;
import io.quiver.audit.ClientAddressResolver;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * Copies where a request came from onto an audit event: client address (through the
 * trusted proxy list only), user agent, request id and W3C trace id.
 */
final class RequestFacts {

	private RequestFacts() {
	}

	static AuditEvent.Builder from(HttpServletRequest request, ClientAddressResolver addresses,
			AuditEvent.Builder event) {
		if (request == null) {
			return event;
		}
		event.sourceIp(addresses.resolve(request))
			.userAgent(request.getHeader("User-Agent"))
			.traceId(traceId(request.getHeader("traceparent")));
		String requestId = request.getHeader("x-request-id");
		return (requestId != null) ? event.requestId(requestId) : event;
	}

	static HttpServletRequest current() {
		return (RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes attributes)
				? attributes.getRequest() : null;
	}

	private static String traceId(String traceparent) {
		// version-traceid-parentid-flags, e.g.
		// 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01
		if (traceparent == null || traceparent.length() < 55) {
			return null;
		}
		return traceparent.substring(3, 35);
	}

}
