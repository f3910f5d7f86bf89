package dev.unison.connectors.kit.spi;

/**
 * The hub's locations, as far as connections may refer to them (a shop's location mapped to a hub
 * store or warehouse): a connection naming a location the hub does not know stops start-up with
 * the name, instead of routing stock to nowhere. Provided by whichever domain owns locations.
 */
@FunctionalInterface
public interface KnownLocations {

    boolean contains(String locationId);
}
