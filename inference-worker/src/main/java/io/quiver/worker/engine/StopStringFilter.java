package io.quiver.worker.engine;

import java.util.List;

/**
 * Holds back text that might be the start of a stop string, so no part of a stop string
 * ever reaches a client, and cuts the text where a stop string appears.
 */
final class StopStringFilter {

	private final List<String> stops;

	private final StringBuilder held = new StringBuilder();

	private boolean stopped;

	StopStringFilter(List<String> stops) {
		this.stops = stops.stream().filter((s) -> !s.isEmpty()).toList();
	}

	/**
	 * Adds text.
	 * @param text new text
	 * @return the text that is safe to emit now
	 */
	String push(String text) {
		if (this.stopped) {
			return "";
		}
		if (this.stops.isEmpty()) {
			return text;
		}
		this.held.append(text);
		int cut = -1;
		for (String stop : this.stops) {
			int at = this.held.indexOf(stop);
			if (at >= 0 && (cut < 0 || at < cut)) {
				cut = at;
			}
		}
		if (cut >= 0) {
			this.stopped = true;
			String out = this.held.substring(0, cut);
			this.held.setLength(0);
			return out;
		}
		int keep = 0;
		for (String stop : this.stops) {
			for (int len = Math.min(stop.length() - 1, this.held.length()); len > keep; len--) {
				if (this.held.substring(this.held.length() - len).equals(stop.substring(0, len))) {
					keep = len;
					break;
				}
			}
		}
		String out = this.held.substring(0, this.held.length() - keep);
		this.held.delete(0, this.held.length() - keep);
		return out;
	}

	/** Whether a stop string was seen. */
	boolean stopped() {
		return this.stopped;
	}

	/** The held text, released when the choice ends for another reason. */
	String flush() {
		String out = this.held.toString();
		this.held.setLength(0);
		return out;
	}

}
