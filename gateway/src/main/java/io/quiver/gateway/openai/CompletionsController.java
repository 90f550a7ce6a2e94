package io.quiver.gateway.openai;

import java.io.IOException;

import io.quiver.gateway.security.Caller;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /v1/completions} (the legacy text completion API), streaming and not.
 */
@RestController
class CompletionsController {

	private final InferenceForwarder forwarder;

	CompletionsController(InferenceForwarder forwarder) {
		this.forwarder = forwarder;
	}

	@PostMapping("/v1/completions")
	void create(@AuthenticationPrincipal Caller caller, HttpServletRequest request, HttpServletResponse response)
			throws IOException {
		this.forwarder.forward(InferenceEndpoint.COMPLETIONS, caller, request, response);
	}

}
