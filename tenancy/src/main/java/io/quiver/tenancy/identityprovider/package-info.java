/**
 * Each tenant's own identity providers: which issuer, keys and audience make a JWT valid
 * for the tenant, and how its claims map onto roles.
 */
package io.quiver.tenancy.identityprovider;
