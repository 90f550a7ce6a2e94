/**
 * Usage metering on the request path: token counts read from the worker's answer and
 * records written in batches off the hot path.
 */
package io.quiver.gateway.usage;
