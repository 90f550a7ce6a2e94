/**
 * The retention policy: removes whole expired segments of a chain, only where a signed
 * checkpoint covers them, and audits every removal.
 */
package io.quiver.audit.retention;
