package io.quiver.gateway.console;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.PathContainer;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.multipart.MaxUploadSizeExceededException;
import org.springframework.web.multipart.MultipartException;
import org.springframework.web.multipart.MultipartResolver;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * Sends an adapter upload larger than the multipart limits
 * ({@code spring.servlet.multipart.*}) back to the adapters page, which says why, instead
 * of the gateway's generic {@code 413} problem answer. The container refuses such a body
 * as soon as anything reads the form, and the CSRF check reads its token from it, so this
 * filter runs ahead of that check. It changes nothing and only redirects to a page that
 * checks access itself, so it needs no token. The admin API is not behind this chain and
 * keeps its {@code 413} problem answer.
 */
class ConsoleUploadLimitFilter extends OncePerRequestFilter {

	/** The query the adapters page reads to show the refusal. */
	static final String TOO_LARGE = "upload=too-large";

	private static final PathPattern UPLOAD = PathPatternParser.defaultInstance
		.parse("/console/t/{tenantSlug}/adapters/upload");

	private final MultipartResolver multipart;

	ConsoleUploadLimitFilter(MultipartResolver multipart) {
		this.multipart = multipart;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		if ("POST".equals(request.getMethod()) && this.multipart.isMultipart(request)) {
			PathPattern.PathMatchInfo upload = UPLOAD.matchAndExtract(
					PathContainer.parsePath(request.getRequestURI().substring(request.getContextPath().length())));
			if (upload != null && tooLarge(request)) {
				response.setStatus(HttpStatus.SEE_OTHER.value());
				response.setHeader(HttpHeaders.LOCATION, request.getContextPath() + "/console/t/"
						+ upload.getUriVariables().get("tenantSlug") + "/adapters?" + TOO_LARGE);
				return;
			}
		}
		chain.doFilter(request, response);
	}

	/**
	 * Parses the parts as the dispatcher would (the container keeps them for it), and
	 * tells a body over the limits from any other failure, which the request meets later
	 * as before.
	 */
	private boolean tooLarge(HttpServletRequest request) {
		try {
			this.multipart.resolveMultipart(request);
			return false;
		}
		catch (MaxUploadSizeExceededException ex) {
			return true;
		}
		catch (MultipartException ex) {
			return false;
		}
	}

}
