/**
 * Request metrics of the HTTP surface, counted before security so refused requests count
 * too.
 */
package io.quiver.gateway.metrics;
