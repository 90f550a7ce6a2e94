package io.quiver.gateway.openai;

import java.io.IOException;

import io.quiver.gateway.security.Caller;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/chat/completions} and {@code POST /v1/completions}, streaming and not.
 * <p>
 * The two generation endpoints carry nearly all of the gateway's traffic, so they are a
 * plain servlet rather than Spring MVC handlers: handler lookup, argument resolution and
 * return-value handling cost about a tenth of the gateway's CPU per request and bring
 * nothing here, since the forwarder reads and writes the raw exchange anyway. The
 * security filters, metrics and error pages apply exactly as to every other path.
 */
final class InferenceServlet extends HttpServlet {

	private static final Logger log = LoggerFactory.getLogger(InferenceServlet.class);

	private final InferenceForwarder forwarder;

	private final InferenceEndpoint endpoint;

	InferenceServlet(InferenceForwarder forwarder, InferenceEndpoint endpoint) {
		this.forwarder = forwarder;
		this.endpoint = endpoint;
	}

	@Override
	protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
		if (!"POST".equals(request.getMethod())) {
			response.setHeader("Allow", "POST");
			OpenAiErrors.write(response, 405, "invalid_request_error", "method_not_allowed", null,
					"Use POST for " + this.endpoint.path() + ".");
			return;
		}
		// The security filters let only authenticated callers with the inference scope
		// through; should that ever fail to hold, refuse rather than act for nobody.
		Caller caller = Caller.current().orElse(null);
		if (caller == null) {
			OpenAiErrors.write(response, 401, "invalid_request_error", "invalid_api_key", null,
					"You didn't provide an API key. Send it as 'Authorization: Bearer qvr_...'.");
			return;
		}
		try {
			this.forwarder.forward(this.endpoint, caller, request, response);
		}
		catch (OpenAiException ex) {
			OpenAiErrors.write(response, ex);
		}
		catch (RuntimeException ex) {
			log.error("Unhandled failure on {} {}", request.getMethod(), request.getRequestURI(), ex);
			OpenAiErrors.write(response, 500, "server_error", null, null,
					"The server had an error processing your request.");
		}
	}

}
