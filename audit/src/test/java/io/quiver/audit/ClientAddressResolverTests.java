package io.quiver.audit;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.mock.web.MockHttpServletRequest;

import static org.assertj.core.api.Assertions.assertThat;

class ClientAddressResolverTests {

	@Test
	void whenNoProxyIsTrustedThenForwardedForIsIgnored() {
		MockHttpServletRequest request = request("203.0.113.9", "198.51.100.1");
		assertThat(new ClientAddressResolver(List.of()).resolve(request)).isEqualTo("203.0.113.9");
	}

	@Test
	void whenRequestComesThroughTrustedProxiesThenFirstUntrustedHopIsTheClient() {
		MockHttpServletRequest request = request("10.0.0.5", "6.6.6.6, 198.51.100.7, 10.1.2.3");
		assertThat(new ClientAddressResolver(List.of("10.0.0.0/8")).resolve(request)).isEqualTo("198.51.100.7");
	}

	@Test
	void whenRemoteIsNotATrustedProxyThenItsForwardedForIsIgnored() {
		MockHttpServletRequest request = request("203.0.113.9", "198.51.100.1");
		assertThat(new ClientAddressResolver(List.of("10.0.0.0/8")).resolve(request)).isEqualTo("203.0.113.9");
	}

	private static MockHttpServletRequest request(String remote, String forwardedFor) {
		MockHttpServletRequest request = new MockHttpServletRequest();
		request.setRemoteAddr(remote);
		request.addHeader("X-Forwarded-For", forwardedFor);
		return request;
	}

}
