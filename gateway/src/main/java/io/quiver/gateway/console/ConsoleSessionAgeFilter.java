package io.quiver.gateway.console;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;

import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Ends a signed-in session once it is older than {@code quiver.console.max-session-age},
 * however busy it was: the idle timeout alone would let a session that is used every few
 * minutes live for ever, and with it a sign-in whose role has since been taken away.
 */
final class ConsoleSessionAgeFilter extends OncePerRequestFilter {

	/** The session attribute holding when its person signed in. */
	static final String SIGNED_IN_AT = ConsoleSessionAgeFilter.class.getName() + ".SIGNED_IN_AT";

	private final Duration maxAge;

	private final Clock clock;

	ConsoleSessionAgeFilter(Duration maxAge, Clock clock) {
		this.maxAge = maxAge;
		this.clock = clock;
	}

	/**
	 * @param session a session whose person just signed in
	 */
	void signedIn(HttpSession session) {
		session.setAttribute(SIGNED_IN_AT, this.clock.instant());
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		HttpSession session = request.getSession(false);
		if (session != null && session.getAttribute(SIGNED_IN_AT) instanceof Instant signedInAt
				&& signedInAt.plus(this.maxAge).isBefore(this.clock.instant())) {
			session.invalidate();
			SecurityContextHolder.clearContext();
			response.sendRedirect(request.getContextPath() + "/console/sign-in?expired");
			return;
		}
		chain.doFilter(request, response);
	}

}
