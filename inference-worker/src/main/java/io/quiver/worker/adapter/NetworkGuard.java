package io.quiver.worker.adapter;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;

import javax.net.ssl.SSLSocketFactory;

/**
 * Keeps adapter downloads away from the worker's own network: a source, or a redirect,
 * that leads to a loopback, link-local (cloud metadata services among them), private,
 * shared (carrier-grade NAT) or unique-local address is refused, unless the operator
 * allows private addresses; the hub and Cloud Storage endpoints the operator configured
 * are trusted wherever they point. The host is checked before each connection, and for
 * {@code https} the address the socket actually connected to is checked again before the
 * TLS handshake, so a name that resolves differently the second time (DNS rebinding)
 * gains nothing.
 */
final class NetworkGuard {

	private final boolean allowPrivate;

	private final List<URI> trusted;

	/**
	 * @param allowPrivate whether private addresses are allowed (an internal mirror,
	 * tests)
	 * @param trusted origins the operator configured (the hub's, Cloud Storage's),
	 * allowed wherever they point
	 */
	NetworkGuard(boolean allowPrivate, List<URI> trusted) {
		this.allowPrivate = allowPrivate;
		this.trusted = List.copyOf(trusted);
	}

	/**
	 * Refuses a URL whose host resolves to an address inside the network.
	 * @param url the URL about to be fetched
	 * @param what the source, for messages
	 */
	void check(URI url, String what) {
		if (exempt(url)) {
			return;
		}
		InetAddress[] addresses;
		try {
			addresses = InetAddress.getAllByName(url.getHost());
		}
		catch (UnknownHostException ex) {
			throw new AdapterException(what + " is unreachable: unknown host " + url.getHost(), ex);
		}
		for (InetAddress address : addresses) {
			refuseIfInternal(address, url.getHost(), what);
		}
	}

	/**
	 * The TLS socket factory to use for a URL: the default one, made to check the peer's
	 * address before the handshake unless the host is exempt.
	 * @param url the URL about to be fetched
	 * @param what the source, for messages
	 * @return the factory
	 */
	SSLSocketFactory socketFactory(URI url, String what) {
		SSLSocketFactory delegate = (SSLSocketFactory) SSLSocketFactory.getDefault();
		return exempt(url) ? delegate : new CheckingSocketFactory(delegate, this, what);
	}

	private boolean exempt(URI url) {
		if (this.allowPrivate) {
			return true;
		}
		for (URI origin : this.trusted) {
			if (url.getHost() != null && url.getHost().equalsIgnoreCase(origin.getHost())
					&& port(url) == port(origin)) {
				return true;
			}
		}
		return false;
	}

	static int port(URI uri) {
		return (uri.getPort() >= 0) ? uri.getPort() : ("https".equals(uri.getScheme()) ? 443 : 80);
	}

	void refuseIfInternal(InetAddress address, String host, String what) {
		if (isInternal(address)) {
			throw new AdapterException(what + " leads to " + host + " at " + address.getHostAddress()
					+ ", an address inside the network, which this worker does not fetch adapters from"
					+ " (quiver.worker.sources.allow-private-addresses)");
		}
	}

	/**
	 * Whether an address belongs to this host or a private network: unspecified,
	 * loopback, link-local, site-local (RFC 1918), multicast, IPv4 {@code 0.0.0.0/8},
	 * {@code 100.64.0.0/10} (shared), {@code 198.18.0.0/15}, IPv6 unique-local
	 * {@code fc00::/7}, or an IPv6 address that embeds one of those.
	 * @param address the address
	 * @return whether it is internal
	 */
	static boolean isInternal(InetAddress address) {
		if (address.isAnyLocalAddress() || address.isLoopbackAddress() || address.isLinkLocalAddress()
				|| address.isSiteLocalAddress() || address.isMulticastAddress()) {
			return true;
		}
		byte[] b = address.getAddress();
		if (b.length == 4) {
			int first = b[0] & 0xff;
			int second = b[1] & 0xff;
			return first == 0 || (first == 100 && second >= 64 && second < 128)
					|| (first == 198 && (second == 18 || second == 19));
		}
		if ((b[0] & 0xfe) == 0xfc) {
			return true;
		}
		// ::a.b.c.d (compatible) and 64:ff9b::a.b.c.d (NAT64) carry an IPv4 address
		boolean compatible = true;
		for (int i = 0; i < 12; i++) {
			compatible &= (b[i] == 0);
		}
		boolean nat64 = b[0] == 0 && b[1] == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b;
		for (int i = 4; i < 12 && nat64; i++) {
			nat64 = (b[i] == 0);
		}
		if (compatible || nat64) {
			try {
				return isInternal(InetAddress.getByAddress(Arrays.copyOfRange(b, 12, 16)));
			}
			catch (UnknownHostException ex) {
				return true;
			}
		}
		return false;
	}

	/** Checks the connected peer of every socket it layers TLS over. */
	private static final class CheckingSocketFactory extends SSLSocketFactory {

		private final SSLSocketFactory delegate;

		private final NetworkGuard guard;

		private final String what;

		CheckingSocketFactory(SSLSocketFactory delegate, NetworkGuard guard, String what) {
			this.delegate = delegate;
			this.guard = guard;
			this.what = what;
		}

		@Override
		public Socket createSocket(Socket socket, String host, int port, boolean autoClose) throws IOException {
			InetAddress peer = socket.getInetAddress();
			if (peer == null || isInternal(peer)) {
				socket.close();
				this.guard.refuseIfInternal((peer != null) ? peer : InetAddress.getByAddress(new byte[4]), host,
						this.what);
			}
			return this.delegate.createSocket(socket, host, port, autoClose);
		}

		@Override
		public Socket createSocket() throws IOException {
			// unconnected: the caller connects it, and HttpsURLConnection then layers TLS
			// with createSocket(Socket, …), where the peer is checked
			return new Socket();
		}

		@Override
		public Socket createSocket(String host, int port) throws IOException {
			return checked(this.delegate.createSocket(host, port), host);
		}

		@Override
		public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
			return checked(this.delegate.createSocket(host, port, localHost, localPort), host);
		}

		@Override
		public Socket createSocket(InetAddress host, int port) throws IOException {
			return checked(this.delegate.createSocket(host, port), host.getHostName());
		}

		@Override
		public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
				throws IOException {
			return checked(this.delegate.createSocket(address, port, localAddress, localPort), address.getHostName());
		}

		private Socket checked(Socket socket, String host) throws IOException {
			if (isInternal(socket.getInetAddress())) {
				socket.close();
				this.guard.refuseIfInternal(socket.getInetAddress(), host, this.what);
			}
			return socket;
		}

		@Override
		public String[] getDefaultCipherSuites() {
			return this.delegate.getDefaultCipherSuites();
		}

		@Override
		public String[] getSupportedCipherSuites() {
			return this.delegate.getSupportedCipherSuites();
		}

	}

}
