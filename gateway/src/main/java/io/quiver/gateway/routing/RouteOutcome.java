package io.quiver.gateway.routing;

import java.util.Locale;

/**
 * Why a request went to the worker it went to.
 */
public enum RouteOutcome {

	/** The worker already held the adapter and had room. */
	HIT,

	/** The adapter goes onto one of its home workers, which may have to load it. */
	PLACED,

	/** Every home worker was full: the least loaded worker takes it. */
	SPILLED,

	/** A base-model request: the least loaded worker takes it. */
	BASE;

	private final String value = name().toLowerCase(Locale.ROOT);

	/**
	 * @return the lower-case name, as the {@code x-quiver-route} header and metrics show
	 * it
	 */
	public String value() {
		return this.value;
	}

}
