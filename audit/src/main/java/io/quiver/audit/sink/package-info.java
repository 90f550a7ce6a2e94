/**
 * Copies of stored events for systems outside Quiver, such as a SIEM over HTTP.
 */
package io.quiver.audit.sink;
