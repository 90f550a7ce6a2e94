/**
 * The pool of inference workers, adapter-aware routing over it, and the resilient
 * streaming proxy to them.
 */
package io.quiver.gateway.routing;
