package io.quiver.gateway.routing;

/**
 * Where one request goes, and why.
 *
 * @param worker the chosen worker
 * @param outcome why that one
 */
public record RoutingDecision(Worker worker, RouteOutcome outcome) {
}
