#!/usr/bin/perl
# Writes a MaxMind DB (.mmdb) of ASN records from a "start,end,asn,org" CSV,
# with Debian's libmaxmind-db-writer-perl, in the GeoLite2-ASN layout:
# autonomous_system_number and autonomous_system_organization per network.
# Usage: mmdb_write.pl IN.csv OUT.mmdb
use strict;
use warnings;
use MaxMind::DB::Writer::Tree;
use Net::Works::Address;
use Net::Works::Network;

my ($in, $out) = @ARGV;
die "usage: mmdb_write.pl IN.csv OUT.mmdb\n" unless defined $out;
my $tree = MaxMind::DB::Writer::Tree->new(
    ip_version            => 6,
    record_size           => 28,
    database_type         => 'infrahunt-test-ASN',
    languages             => ['en'],
    description           => { en => 'ASN ranges for infrahunt tests' },
    map_key_type_callback => sub {
        my $key = shift;
        return $key eq 'autonomous_system_number' ? 'uint32' : 'utf8_string';
    },
    alias_ipv6_to_ipv4 => 0,
);
open my $fh, '<', $in or die "mmdb_write.pl: cannot open $in: $!\n";
while (my $line = <$fh>) {
    chomp $line;
    $line =~ s/\r$//;
    my ($start, $end, $asn, $org) = $line =~ /^([^,]+),([^,]+),(\d+),(.*)$/ or next;
    $org =~ s/^"(.*)"$/$1/;
    $org =~ s/""/"/g;
    my $first = Net::Works::Address->new_from_string(string => $start, version => ($start =~ /:/ ? 6 : 4));
    my $last = Net::Works::Address->new_from_string(string => $end, version => ($end =~ /:/ ? 6 : 4));
    for my $net (Net::Works::Network->range_as_subnets($first, $last)) {
        $tree->insert_network($net, { autonomous_system_number => $asn + 0,
                                      autonomous_system_organization => $org });
    }
}
close $fh;
open my $o, '>:raw', $out or die "mmdb_write.pl: cannot write $out: $!\n";
$tree->write_tree($o);
close $o;
