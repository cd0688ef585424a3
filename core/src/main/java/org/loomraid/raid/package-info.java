/**
 * The RAID engine: {@code RaidStorage} mirrors every commit onto N backend storages.
 */
package org.loomraid.raid;
