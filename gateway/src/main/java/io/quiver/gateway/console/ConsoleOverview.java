package io.quiver.gateway.console;

import java.util.List;

/**
 * The overview's numbers for one tenant over the last day, from the
 * {@code inference.completed} events of its audit trail.
 *
 * @param requests inference requests
 * @param errors requests answered with an error
 * @param averageLatencyMillis mean latency, 0 when there were none
 * @param p95LatencyMillis 95th percentile latency, 0 when there were none
 * @param hourly requests per hour, oldest first, 24 entries
 * @param topModels the most requested models and adapters
 */
record ConsoleOverview(long requests, long errors, long averageLatencyMillis, long p95LatencyMillis, List<Bar> hourly,
		List<Bar> topModels) {

	/**
	 * One bar of a chart.
	 *
	 * @param label what it stands for
	 * @param count its value
	 * @param percent its length relative to the longest bar (0 to 100)
	 */
	record Bar(String label, long count, int percent) {

	}

}
