/**
 * Reading the trail: filtered queries with cursor pagination, JSON Lines export, and the
 * admin endpoints that serve them, verification and the public keys.
 */
package io.quiver.audit.query;
