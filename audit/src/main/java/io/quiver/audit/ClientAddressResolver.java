package io.quiver.audit;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Finds the client's address for {@link AuditEvent#sourceIp()}, believing
 * {@code X-Forwarded-For} only as far as it was written by configured trusted proxies
 * ({@code quiver.audit.trusted-proxies}, addresses or CIDR ranges): walking the header
 * from the right, the first address that is not a trusted proxy is the client. Without
 * trusted proxies the header is ignored, since any client can send it.
 */
public final class ClientAddressResolver {

	private final List<Cidr> trusted;

	public ClientAddressResolver(List<String> trustedProxies) {
		this.trusted = trustedProxies.stream().map(Cidr::parse).toList();
	}

	/**
	 * @param request the current request
	 * @return the client address
	 */
	public String resolve(HttpServletRequest request) {
		String address = request.getRemoteAddr();
		if (this.trusted.isEmpty() || !isTrusted(address)) {
			return address;
		}
		var headers = request.getHeaders("X-Forwarded-For");
		List<String> hops = new ArrayList<>();
		while (headers != null && headers.hasMoreElements()) {
			for (String hop : headers.nextElement().split(",")) {
				if (!hop.isBlank()) {
					hops.add(hop.strip());
				}
			}
		}
		for (int i = hops.size() - 1; i >= 0; i--) {
			address = hops.get(i);
			if (!isTrusted(address)) {
				return address;
			}
		}
		return address;
	}

	private boolean isTrusted(String address) {
		byte[] bytes = literal(address);
		return bytes != null && this.trusted.stream().anyMatch((cidr) -> cidr.contains(bytes));
	}

	/**
	 * Parses only IP literals: a name here must never cause a DNS lookup.
	 */
	private static byte[] literal(String address) {
		if (address == null || address.isBlank() || !address.matches("[0-9a-fA-F:.\\[\\]%]+")) {
			return null;
		}
		try {
			return InetAddress.ofLiteral(address.replace("[", "").replace("]", "")).getAddress();
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
	}

	private record Cidr(byte[] network, int prefix) {

		static Cidr parse(String text) {
			String[] parts = text.strip().split("/");
			byte[] network = literal(parts[0]);
			if (network == null) {
				throw new IllegalArgumentException("Not an IP address or CIDR range: " + text);
			}
			int prefix = (parts.length > 1) ? Integer.parseInt(parts[1]) : network.length * 8;
			return new Cidr(network, prefix);
		}

		boolean contains(byte[] address) {
			if (address.length != this.network.length) {
				return false;
			}
			int full = this.prefix / 8;
			for (int i = 0; i < full; i++) {
				if (address[i] != this.network[i]) {
					return false;
				}
			}
			int rest = this.prefix % 8;
			if (rest == 0) {
				return true;
			}
			int mask = (0xFF << (8 - rest)) & 0xFF;
			return (address[full] & mask) == (this.network[full] & mask);
		}

	}

}
