package io.quiver.gateway.routing;

/**
 * Just enough of the Prometheus text exposition format to read a few gauges of a vLLM
 * server: sample lines {@code name{labels} value [timestamp]}, comments skipped.
 */
final class PrometheusText {

	private PrometheusText() {
	}

	/**
	 * @param text the exposition
	 * @param name a metric name
	 * @return the sum of its samples over all label sets, 0 if there is none
	 */
	static double sum(String text, String name) {
		double sum = 0;
		for (double value : values(text, name)) {
			sum += value;
		}
		return sum;
	}

	/**
	 * @param text the exposition
	 * @param name a metric name
	 * @return the largest of its samples, 0 if there is none
	 */
	static double max(String text, String name) {
		double max = 0;
		for (double value : values(text, name)) {
			max = Math.max(max, value);
		}
		return max;
	}

	private static double[] values(String text, String name) {
		double[] found = new double[4];
		int count = 0;
		for (String line : text.split("\n")) {
			if (line.isEmpty() || line.charAt(0) == '#' || !line.startsWith(name)) {
				continue;
			}
			int after = name.length();
			if (after < line.length() && line.charAt(after) != '{' && line.charAt(after) != ' ') {
				continue;
			}
			int valueStart = (after < line.length() && line.charAt(after) == '{') ? line.indexOf('}', after) + 1
					: after;
			if (valueStart <= 0) {
				continue;
			}
			String[] rest = line.substring(valueStart).trim().split("\\s+");
			try {
				double value = Double.parseDouble(rest[0]);
				if (Double.isFinite(value)) {
					if (count == found.length) {
						found = java.util.Arrays.copyOf(found, count * 2);
					}
					found[count++] = value;
				}
			}
			catch (NumberFormatException ex) {
				// A sample this reader does not understand is skipped, not fatal.
			}
		}
		return java.util.Arrays.copyOf(found, count);
	}

}
