/**
 * Members of a tenant (people and service accounts), their roles and the scopes those
 * roles grant.
 */
package io.quiver.tenancy.member;
