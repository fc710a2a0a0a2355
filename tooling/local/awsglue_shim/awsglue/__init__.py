"""A local stand-in for the parts of AWS Glue's `awsglue` library that our Glue scripts use.

Only tooling.local.glue_job puts this folder on the path, to run a Glue script unedited on
local Spark. It is never uploaded: on AWS Glue the real library is already there.
"""
