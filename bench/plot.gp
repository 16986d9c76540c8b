# Bar chart of bench/tunnel.sh: Gbit/s per cipher (median, with the min–max
# of the runs as error bars) for offloads off, offloads on, strongSwan and
# wireguard-go. Called by bench/tunnel.sh as
#
#   gnuplot -e "datafile='DIR/tunnel.dat'; outfile='DIR/tunnel.png'" bench/plot.gp
#
# tunnel.dat: one line a column of the table, the label quoted, then three
# numbers (median min max) for each of the four series; "-" where a series
# has no run.
set terminal pngcairo size 1200,600 font ",10"
set output outfile
set datafile missing "-"
set title "TCP throughput between two namespaces, one stream (median, whiskers: min–max)"
set ylabel "Gbit/s (log scale)"
set logscale y
set yrange [0.1:100]
set grid ytics mytics
set key top right
set style data histogram
set style histogram errorbars gap 1 lw 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set xtics nomirror
# Four bars a cluster, gap 1: bar i (0..3) of cluster k is centred at
# k + (i - 1.5) / 5. Each bar's median is written above its whisker.
label(y) = sprintf("%.2f", y)
plot datafile using 2:3:4:xtic(1) title "offloads off (kernel / tunsec)" lc rgb "#9e9e9e", \
     ''       using 5:6:7         title "offloads on (kernel / tunsec)"  lc rgb "#1565c0", \
     ''       using 8:9:10        title "strongSwan kernel-libipsec"     lc rgb "#ef6c00", \
     ''       using 11:12:13      title "wireguard-go"                   lc rgb "#2e7d32", \
     for [i=0:3] '' using ($0 + (i - 1.5) / 5):(column(4 + 3 * i)):(label(column(2 + 3 * i))) \
         with labels offset 0,0.7 font ",8" notitle
