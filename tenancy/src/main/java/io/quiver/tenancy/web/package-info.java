/**
 * What the tenancy admin endpoints share: the acting caller, the tenant of the path, and
 * the refusals they answer with.
 */
package io.quiver.tenancy.web;
