/**
 * The bodies the REST API answers with, one record per shape, serialized by the gateway's one Jackson mapper
 * ({@link dev.baton.gateway.internal.json.Json}). That mapper leaves out every null (record components and map
 * entries alike), so a null component is an absent field, as it was when the bodies were maps; component order is
 * the field order of the JSON. Items stored as JSON by the read model (events, log lines, materializations, agents)
 * pass through as stored.
 */
package dev.baton.gateway.internal.api;
