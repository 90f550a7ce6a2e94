/**
 * The pool of inference workers, which worker serves which model, and the streaming proxy
 * to them.
 */
package io.quiver.gateway.routing;
