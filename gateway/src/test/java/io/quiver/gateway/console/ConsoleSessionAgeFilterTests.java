package io.quiver.gateway.console;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.mock.web.MockHttpSession;

import static org.assertj.core.api.Assertions.assertThat;

class ConsoleSessionAgeFilterTests {

	private static final Instant SIGNED_IN = Instant.parse("2026-01-05T08:00:00Z");

	@Test
	void whenSessionIsYoungerThanTheMaximumThenTheRequestGoesOn() throws Exception {
		MockHttpSession session = signedInSession();
		MockFilterChain chain = new MockFilterChain();
		filterAt(SIGNED_IN.plus(Duration.ofHours(11))).doFilter(request(session), new MockHttpServletResponse(), chain);
		assertThat(chain.getRequest()).isNotNull();
		assertThat(session.isInvalid()).isFalse();
	}

	@Test
	void whenSessionIsOlderThanTheMaximumThenItEndsHoweverBusyItWas() throws Exception {
		MockHttpSession session = signedInSession();
		MockFilterChain chain = new MockFilterChain();
		MockHttpServletResponse response = new MockHttpServletResponse();
		filterAt(SIGNED_IN.plus(Duration.ofHours(12)).plusSeconds(1)).doFilter(request(session), response, chain);
		assertThat(chain.getRequest()).isNull();
		assertThat(session.isInvalid()).isTrue();
		assertThat(response.getRedirectedUrl()).isEqualTo("/console/sign-in?expired");
	}

	@Test
	void whenNobodySignedInThenTheRequestGoesOn() throws Exception {
		MockFilterChain chain = new MockFilterChain();
		filterAt(SIGNED_IN.plus(Duration.ofDays(3))).doFilter(request(new MockHttpSession()),
				new MockHttpServletResponse(), chain);
		assertThat(chain.getRequest()).isNotNull();
	}

	private static MockHttpSession signedInSession() {
		MockHttpSession session = new MockHttpSession();
		filterAt(SIGNED_IN).signedIn(session);
		return session;
	}

	private static ConsoleSessionAgeFilter filterAt(Instant now) {
		return new ConsoleSessionAgeFilter(Duration.ofHours(12), Clock.fixed(now, ZoneOffset.UTC));
	}

	private static MockHttpServletRequest request(MockHttpSession session) {
		MockHttpServletRequest request = new MockHttpServletRequest("GET", "/console/t/acme/keys");
		request.setSession(session);
		return request;
	}

}
