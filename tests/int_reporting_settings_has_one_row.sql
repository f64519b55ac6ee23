{#- int_reporting_settings must have exactly one row (every model cross-joins it). -#}
select count(*) as n_rows
from {{ ref('int_reporting_settings') }}
having count(*) <> 1
